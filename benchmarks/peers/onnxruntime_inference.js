// W4 in ONNX Runtime (benchmarks/run): the network bench_typenet trained and exported as ONNX
// (--export-onnx) run on MNIST's test images in batches of 256, five timed passes, as the other
// frameworks' W4. Prints one JSON line: {"unit": "img/s", "samples": [...], "test_accuracy": ...}.
//   node onnxruntime_inference.js --model M.onnx --data MNIST_DIR --threads N [--samples N]
// ONNX Runtime's Node binding comes from third_party/peers/ (install.sh --peers; NODE_PATH).
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

function option(name, otherwise) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : otherwise;
}

// An IDX file's payload after its header (16 bytes for images, 8 for labels).
function idx(file, header) {
  const bytes = fs.readFileSync(file);
  return bytes.subarray(header);
}

async function main() {
  const data = option('data');
  const samples = Number(option('samples', '10000'));
  const pixels = idx(path.join(data, 't10k-images-idx3-ubyte'), 16);
  const labels = idx(path.join(data, 't10k-labels-idx1-ubyte'), 8);
  const count = Math.min(samples, labels.length);
  const images = new Float32Array(count * 784);
  for (let i = 0; i < images.length; ++i) images[i] = pixels[i] / 255;  // as typenet's load_mnist

  const session = await ort.InferenceSession.create(option('model'), {
    executionProviders: ['cpu'], intraOpNumThreads: Number(option('threads', '2')), interOpNumThreads: 1,
  });
  const input = session.inputNames[0], output = session.outputNames[0];
  const batch = 256;
  const rates = [];
  let correct = 0;
  for (let pass = 0; pass < 5; ++pass) {
    correct = 0;
    const start = process.hrtime.bigint();
    for (let first = 0; first < count; first += batch) {
      const rows = Math.min(batch, count - first);
      const x = new ort.Tensor('float32', images.subarray(first * 784, (first + rows) * 784), [rows, 28, 28, 1]);
      const p = (await session.run({ [input]: x }))[output].data;
      for (let r = 0; r < rows; ++r) {
        let best = 0;
        for (let c = 1; c < 10; ++c) if (p[r * 10 + c] > p[r * 10 + best]) best = c;
        correct += best === labels[first + r] ? 1 : 0;
      }
    }
    rates.push(count / (Number(process.hrtime.bigint() - start) / 1e9));
  }
  console.log(JSON.stringify({ unit: 'img/s', samples: rates, test_accuracy: correct / count }));
}

main().catch((error) => {
  console.error(error.message || error);
  process.exit(1);
});
