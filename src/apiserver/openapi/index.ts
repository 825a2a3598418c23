/** OpenAPI v3 discovery documents for the served group-versions. */
export { OpenApiDocuments, documentHash, openApiDocument, openApiIndex, servedGroupVersion } from "./documents.js";
