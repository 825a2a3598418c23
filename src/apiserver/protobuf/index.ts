/** Protobuf request bodies: the few kinds kubectl sends as protobuf, decoded to JSON objects. */
export { decodeProtobufObject, hasProtobufMagic, protobufMagic } from "./decode.js";
