// Runs an ONNX model in ONNX Runtime (the npm package onnxruntime-node, which
// `third_party/install.sh --peers` puts in third_party/peers/) on one float32 input:
//   node run_onnxruntime.js MODEL INPUT.bin OUTPUT.bin THREADS DIM...
// INPUT.bin holds the input tensor's floats (little-endian, row-major, shape DIM...); the
// model's first output is written to OUTPUT.bin the same way.
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

async function main() {
  const [model, input, output, threads, ...dims] = process.argv.slice(2);
  const bytes = fs.readFileSync(input);
  // A copy, so that the floats are aligned whatever offset Node gave the file's buffer.
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const shape = dims.map(Number);
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'], intraOpNumThreads: Number(threads), interOpNumThreads: 1,
  });
  const result = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', values, shape) });
  const out = result[session.outputNames[0]].data;
  fs.writeFileSync(output, Buffer.from(out.buffer, out.byteOffset, out.byteLength));
}

main().catch((error) => {
  console.error(error.message || error);
  process.exit(1);
});
