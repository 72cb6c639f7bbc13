/**
 * Types of the part of @cornerstonejs/codec-openjpeg this entry uses: the decode-only Emscripten build (its
 * `./decode` export, OpenJPEG compiled to WebAssembly and then to JavaScript by wasm2js). The package ships no types.
 */
declare module '@cornerstonejs/codec-openjpeg/decode' {
  export interface FrameInfo {
    width: number;
    height: number;
    bitsPerSample: number;
    componentCount: number;
    isSigned: boolean;
  }
  export interface J2KDecoder {
    /** A view of `size` bytes in the module's memory, to copy the encoded image into. */
    getEncodedBuffer(size: number): Uint8Array;
    decode(): void;
    getFrameInfo(): FrameInfo;
    /** A copy of the decoded samples, interleaved; 2 bytes little-endian per sample above 8 bits. */
    getDecodedBuffer(): Uint8Array;
    /** Frees the decoder's memory (Embind objects are not garbage-collected). */
    delete(): void;
  }
  export interface OpenJpegModule {
    J2KDecoder: new () => J2KDecoder;
  }
  /** Emscripten module options: where OpenJPEG's printf output goes. */
  export interface ModuleOptions {
    print?: (text: string) => void;
    printErr?: (text: string) => void;
  }
  const factory: (options?: ModuleOptions) => Promise<OpenJpegModule>;
  export default factory;
}
