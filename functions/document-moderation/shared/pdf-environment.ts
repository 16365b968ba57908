// pdfjs-dist builds a few canvas objects when its module loads, taking them from the native @napi-rs/canvas
// package when it can. Extraction never renders, and the Lambda bundle carries no native canvas: these
// inert stand-ins let the module load there exactly as it does here. Import this before pdfjs-dist.

class InertMatrix {
  a = 1;
  b = 0;
  c = 0;
  d = 1;
  e = 0;
  f = 0;
}

class InertPath {}

class InertImageData {
  constructor(
    readonly width = 0,
    readonly height = 0,
  ) {}
}

const canvasGlobals = globalThis as Record<string, unknown>;
canvasGlobals.DOMMatrix ??= InertMatrix;
canvasGlobals.Path2D ??= InertPath;
canvasGlobals.ImageData ??= InertImageData;
