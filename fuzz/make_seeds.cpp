// Writes the harnesses' inputs: `make_seeds seeds <dir>` the seed corpora (small valid files of
// every kind, made with typenet's own writers and libzip), `make_seeds reproducers <dir>` the
// inputs that once crashed typenet or took gigabytes, which fuzz/regression/ keeps (fuzz/README.md).
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include <stb/stb_image_write.h>
#include <xtensor/xtensor.hpp>

#include "custom_objects.hpp"
#include "fuzz_support.hpp"
#include "typenet/io/png.hpp"
#include "typenet/typenet.hpp"
#ifdef TYPENET_ONNX_SEEDS
#include "typenet/io/onnx.hpp"
#endif

namespace fs = std::filesystem;
using typenet::fuzz::Bytes;

namespace {

using Dense = typenet::Sequential<typenet::Input<3>, typenet::Dense<4, typenet::ReLU>, typenet::Dense<2, typenet::Softmax>>;
using Conv = typenet::Sequential<typenet::Input<6, 6, 1>, typenet::Conv2D<2, 3, 3, typenet::ReLU>, typenet::BatchNormalization,
                                 typenet::MaxPooling2D<2>, typenet::Flatten, typenet::Dense<2, typenet::Softmax>>;
const std::string separator = "#~#~";

void write(const fs::path& path, const Bytes& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

Bytes read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

Bytes join(const std::vector<Bytes>& parts) {
  Bytes out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out.insert(out.end(), separator.begin(), separator.end());
    out.insert(out.end(), parts[i].begin(), parts[i].end());
  }
  return out;
}

Bytes idx(std::uint8_t first, const std::vector<std::uint32_t>& dims, const Bytes& data) {
  Bytes out{first, 0, 0, 0x08, static_cast<std::uint8_t>(dims.size())};
  for (auto d : dims)
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(d >> shift));
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

// A version 1.0 .npy file, the dict padded as NumPy pads it.
Bytes npy(const std::string& descr, const std::string& shape, const Bytes& data, bool fortran = false) {
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
  while ((10 + dict.size() + 1) % 64 != 0) dict += ' ';
  dict += '\n';
  Bytes out = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, static_cast<std::uint8_t>(dict.size() & 0xff),
               static_cast<std::uint8_t>(dict.size() >> 8)};
  out.insert(out.end(), dict.begin(), dict.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

template <class T>
Bytes bytes_of(const std::vector<T>& values) {
  Bytes out(values.size() * sizeof(T));
  std::memcpy(out.data(), values.data(), out.size());
  return out;
}

Bytes zip_file(const std::vector<typenet::fuzz::ZipMember>& members) {
  return read(typenet::fuzz::write_zip("seed.npz", members));
}

// A model file as model_file.cpp takes it: the header's text, then the data.
Bytes model_input(const Bytes& file) {
  std::uint64_t length = 0;
  for (int i = 0; i < 8; ++i) length |= std::uint64_t{file[12 + i]} << (8 * i);
  return join({Bytes(file.begin() + 24, file.begin() + 24 + static_cast<std::ptrdiff_t>(length)),
               Bytes(file.begin() + 24 + static_cast<std::ptrdiff_t>(length), file.end())});
}

// `rich`: compiled with a learning-rate schedule and metrics, so that their JSON is in the seed.
template <class Net>
Bytes saved_model(bool compiled, bool rich = false, bool custom = false) {
  typenet::Model<Net> model{3};
  if (compiled && custom) {
    model.compile(typenet::fuzz::FuzzMomentum{}, typenet::fuzz::FuzzLoss{});
  } else if (compiled && rich) {
    model.compile(typenet::Adam{.learning_rate = typenet::PiecewiseConstantDecay({.boundaries = {2}, .values = {1e-3, 1e-4}})},
                  typenet::SparseCategoricalCrossentropy{},
                  {"accuracy", typenet::metrics::AUC{.num_thresholds = 50}, typenet::metrics::Precision{.threshold = 0.3}});
  } else if (compiled) {
    model.compile(typenet::Adam{}, typenet::SparseCategoricalCrossentropy{});
  }
  if (compiled) {
    auto x = xt::xtensor<float, 2>::from_shape({4, Net::input_shape::size});
    for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(i % 7) / 7.0f;
    const xt::xtensor<int, 1> y = {0, 1, 0, 1};
    const xt::xtensor<float, 2> one_hot = {{1, 0}, {0, 1}, {1, 0}, {0, 1}};  // the user's loss takes targets as given
    if (custom)
      model.fit(x, one_hot, {.batch_size = 2, .epochs = 1, .verbose = 0});
    else
      model.fit(x, y, {.batch_size = 2, .epochs = 1, .verbose = 0});
  }
  const auto path = typenet::fuzz::scratch_path("seed.typenet");
  model.save(path);
  return read(path);
}

std::vector<typenet::fuzz::ZipMember> medmnist_members(const std::vector<Bytes>& arrays) {
  static const char* const names[] = {"train_images.npy", "train_labels.npy", "val_images.npy",
                                      "val_labels.npy",   "test_images.npy",  "test_labels.npy"};
  std::vector<typenet::fuzz::ZipMember> members;
  for (std::size_t k = 0; k < 6; ++k) members.push_back({names[k], arrays[k], k % 2 == 0});
  return members;
}


// ---- Images (image_decode) ----

Bytes be32(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 8),
          static_cast<std::uint8_t>(v)};
}

Bytes png_chunk(const std::string& type, const Bytes& data) {
  Bytes body(type.begin(), type.end());
  body.insert(body.end(), data.begin(), data.end());
  Bytes out = be32(static_cast<std::uint32_t>(data.size()));
  out.insert(out.end(), body.begin(), body.end());
  const Bytes crc = be32(static_cast<std::uint32_t>(crc32(0, body.data(), static_cast<uInt>(body.size()))));
  out.insert(out.end(), crc.begin(), crc.end());
  return out;
}

// A PNG of the given header over `scanlines` (filter bytes included), with `chunks` before IDAT:
// the kinds stb_image_write does not make (palette, tRNS, 16-bit, packed gray, interlaced).
Bytes png_file(std::uint32_t width, std::uint32_t height, std::uint8_t depth, std::uint8_t colour, const Bytes& scanlines,
               const Bytes& chunks = {}, bool interlaced = false) {
  Bytes ihdr = be32(width);
  for (std::uint8_t b : be32(height)) ihdr.push_back(b);
  ihdr.insert(ihdr.end(), {depth, colour, 0, 0, static_cast<std::uint8_t>(interlaced)});
  Bytes compressed(compressBound(static_cast<uLong>(scanlines.size())));
  uLongf size = static_cast<uLongf>(compressed.size());
  compress(compressed.data(), &size, scanlines.data(), static_cast<uLong>(scanlines.size()));
  compressed.resize(size);
  Bytes out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  for (const Bytes& part : {png_chunk("IHDR", ihdr), chunks, png_chunk("IDAT", compressed), png_chunk("IEND", {})})
    out.insert(out.end(), part.begin(), part.end());
  return out;
}

Bytes stb_image(bool jpeg, int width, int height, int channels, int quality = 90) {
  Bytes pixels(static_cast<std::size_t>(width * height * channels));
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<std::uint8_t>(i * 37 + i / 7);
  Bytes out;
  auto append = [](void* context, void* data, int n) {
    auto* bytes = static_cast<std::uint8_t*>(data);
    static_cast<Bytes*>(context)->insert(static_cast<Bytes*>(context)->end(), bytes, bytes + n);
  };
  if (jpeg) stbi_write_jpg_to_func(append, &out, width, height, channels, pixels.data(), quality);
  else stbi_write_png_to_func(append, &out, width, height, channels, pixels.data(), width * channels);
  return out;
}

Bytes text(const std::string& s) { return {s.begin(), s.end()}; }

void image_seeds(const fs::path& dir) {
  for (int channels = 1; channels <= 4; ++channels) write(dir / ("png_" + std::to_string(channels)), stb_image(false, 5, 3, channels));
  write(dir / "jpeg_gray", stb_image(true, 9, 8, 1, 95));
  write(dir / "jpeg_rgb_420", stb_image(true, 17, 9, 3, 80));  // stb_image_write subsamples below quality 90
  write(dir / "jpeg_rgb_444", stb_image(true, 8, 8, 3, 95));
  const Bytes palette = png_chunk("PLTE", {255, 0, 0, 0, 255, 0, 0, 0, 255});
  write(dir / "png_palette_trns", png_file(3, 2, 8, 3, {0, 2, 0, 1, 0, 1, 1, 2}, [&] {
          Bytes c = palette;
          const Bytes trns = png_chunk("tRNS", {0, 128});
          c.insert(c.end(), trns.begin(), trns.end());
          return c;
        }()));
  write(dir / "png_palette_2bit", png_file(4, 1, 2, 3, {0, 0x19}, palette));
  write(dir / "png_gray_1bit", png_file(8, 2, 1, 0, {0, 0xb1, 1, 0x0f}));
  write(dir / "png_rgb_16bit", png_file(1, 2, 16, 2, {0, 0xab, 0xcd, 1, 2, 0xff, 0xff, 0, 1, 2, 3, 4, 5, 6}));
  Bytes adam7;  // 3x3 gray: passes 1 and 4 hold one pixel, 5 a row of two, 6 two rows of one, 7 a row of three
  for (const Bytes& row : {Bytes{0, 10}, Bytes{0, 20}, Bytes{0, 30, 40}, Bytes{0, 50}, Bytes{0, 60}, Bytes{0, 70, 80, 90}})
    adam7.insert(adam7.end(), row.begin(), row.end());
  write(dir / "png_interlaced", png_file(3, 3, 8, 0, adam7, {}, true));
  Bytes pgm = text("P5\n# c\n3 2\n255\n");
  pgm.insert(pgm.end(), {0, 64, 128, 192, 255, 1});
  write(dir / "pgm", pgm);
  Bytes ppm = text("P6 2 1 1000\n");
  ppm.insert(ppm.end(), {0, 0, 0, 2, 1, 244, 3, 231, 3, 232, 0, 7});
  write(dir / "ppm_16bit", ppm);
}

// The files that stb_image mishandled (the hostile-files issue), and headers at the pixel limit.
void image_reproducers(const fs::path& dir) {
  // 9 bytes: a Huffman table cut off in its code counts (stb_image wrote past an array).
  write(dir / "jpeg_bad_huffman_9_bytes", {0xff, 0xd8, 0xff, 0xc4, 0x00, 0x13, 0x10, 0xff, 0xff});
  // 74 bytes of TGA claiming 13743 x 13322 pixels (4.6 s and 1.4 GB in stb_image).
  Bytes tga = {0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 13743 & 255, 13743 >> 8, 13322 & 255, 13322 >> 8, 24, 0};
  tga.resize(74, 0x7f);
  write(dir / "tga_claims_13743x13322", tga);
  // A PNG header claiming 100000 x 100000 RGBA pixels over one row of data.
  write(dir / "png_claims_10g_pixels", png_file(100000, 100000, 8, 6, Bytes(17, 0)));
  // A PNG claiming exactly the harness's limit (1 Mi pixels) with too little data.
  write(dir / "png_at_limit_truncated", png_file(1024, 1024, 8, 2, Bytes(3073, 0)));
  // PGM headers: over the limit, a product that overflows, an 11-digit field.
  write(dir / "pgm_claims_4g_pixels", text("P5\n70000 70000\n255\nabc"));
  write(dir / "ppm_overflows", text("P6\n4294967295 4294967295\n65535\n"));
  write(dir / "pgm_11_digits", text("P5\n12345678901 1\n255\n"));
}

#ifdef TYPENET_ONNX_SEEDS
// onnx_import's networks exported by typenet, and PyTorch's exports of the same (with Dense as a
// MatMul in mlp_matmul, and as tf2onnx lays out Keras's in keras_cnn).
template <class Net>
Bytes onnx_export() {
  typenet::Model<Net> model{3};
  const auto path = typenet::fuzz::scratch_path("seed.onnx");
  typenet::onnx::save(model, path);
  return read(path);
}

void onnx_seeds(const fs::path& dir) {
  namespace tn = typenet;
  using Mlp = tn::Sequential<tn::Input<6>, tn::Dense<8, tn::ReLU>, tn::Dense<3, tn::Softmax>>;
  using Cnn = tn::Sequential<tn::Input<8, 8, 1>, tn::Conv2D<4, 3, 3, tn::ReLU, tn::Same>, tn::MaxPooling2D<2>,
                             tn::BatchNormalization, tn::Conv2D<5, 3, 3, tn::Tanh>, tn::Flatten, tn::Dense<3, tn::Softmax>>;
  write(dir / "typenet_mlp", onnx_export<Mlp>());
  write(dir / "typenet_cnn", onnx_export<Cnn>());
  for (const char* name : {"mlp", "cnn", "mlp_matmul", "keras_cnn"})
    write(dir / (std::string("torch_") + name), read(fs::path(TYPENET_ONNX_SEEDS) / (std::string(name) + ".onnx")));
}
#endif

void seeds(const fs::path& dir) {
  const Bytes pixels = {0, 255, 51, 102, 1, 2, 3, 4, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 10, 20, 30, 40, 50, 60};
  write(dir / "idx/images", idx(0, {2, 3, 4}, pixels));
  write(dir / "idx/images_gz", idx(1, {2, 3, 4}, pixels));
  write(dir / "idx/labels", idx(2, {5}, {0, 1, 2, 3, 9}));
  write(dir / "idx/labels_gz", idx(3, {5}, {0, 1, 2, 3, 9}));

  const Bytes f4 = npy("<f4", "(2, 3)", bytes_of(std::vector<float>{1, 2, 3, 4, 5, 6}));
  const Bytes u1 = npy("|u1", "(4,)", {1, 2, 3, 4});
  const Bytes i8f = npy("<i8", "(2, 2)", bytes_of(std::vector<std::int64_t>{1, 2, 3, 4}), true);
  const Bytes b1 = npy("|b1", "(3,)", {1, 0, 1});
  const Bytes f8 = npy("<f8", "()", bytes_of(std::vector<double>{2.5}));
  int k = 0;
  for (const Bytes& a : {f4, u1, i8f, b1, f8}) write(dir / ("npy_header/" + std::to_string(k++)), a);

  write(dir / "npz_raw/stored.npz", zip_file({{"x.npy", f4, false}, {"y.npy", u1, false}}));
  write(dir / "npz_raw/deflated.npz", zip_file({{"x.npy", i8f, true}, {"flags.npy", b1, true}}));
  write(dir / "npz_built/two", join({{0x00, 0x81}, f4, u1}));
  write(dir / "npz_built/three", join({{0x86, 0x07, 0x00}, i8f, b1, f8}));

  const Bytes images = npy("|u1", "(2, 2, 2)", {0, 255, 51, 102, 1, 2, 3, 4});
  const Bytes labels = npy("|u1", "(2, 1)", {0, 1});
  const Bytes float_labels = npy("<f8", "(2, 1)", bytes_of(std::vector<double>{1.0, 0.0}));
  write(dir / "medmnist/uint8", join({images, labels, images, labels, images, labels, {1, 0, 1, 0, 1, 0}}));
  write(dir / "medmnist/float_labels", join({images, float_labels, images, labels, images, float_labels}));

  write(dir / "model_file/dense", model_input(saved_model<Dense>(true)));
  write(dir / "model_file/dense_uncompiled", model_input(saved_model<Dense>(false)));
  write(dir / "model_file/dense_schedule_metrics", model_input(saved_model<Dense>(true, true)));
  write(dir / "model_file/dense_user_loss_optimizer", model_input(saved_model<Dense>(true, false, true)));
  write(dir / "model_file/conv", model_input(saved_model<Conv>(true)));
#ifdef TYPENET_ONNX_SEEDS
  onnx_seeds(dir / "onnx_import");
#endif
  image_seeds(dir / "image_decode");
}

// The inputs behind the findings in the hostile-files issue, each as its harness takes it.
void reproducers(const fs::path& dir) {
  // A gzip IDX header whose dimensions multiply past PTRDIFF_MAX: signed overflow in xtensor.
  write(dir / "idx/gzip_dims_above_ptrdiff", idx(1, {0x80000000u, 0x80000000u, 2}, {}));
  // MNIST's training images claimed by a 100-byte gzip file: allocated before being refused.
  write(dir / "idx/gzip_claims_47mb", idx(1, {60000, 28, 28}, Bytes(100, 7)));

  // A zip directory claiming 4 GiB for a 16-byte member: allocated and zeroed before refusal.
  Bytes zip = zip_file({{"x.npy", npy("|u1", "(16,)", Bytes(16, 7)), true}});
  auto put_le32 = [&](std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) zip[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
  };
  put_le32(22, 0xfffffffeu);
  for (std::size_t i = 0; i + 4 <= zip.size(); ++i)
    if (zip[i] == 'P' && zip[i + 1] == 'K' && zip[i + 2] == 1 && zip[i + 3] == 2) put_le32(i + 24, 0xfffffffeu);
  write(dir / "npz_raw/claims_4gib.npz", zip);

  // MedMNIST labels stored as float: NaN (undefined when cast), 2.9 (silently 2), 7 (not a class).
  const Bytes images = npy("|u1", "(2, 2, 2)", {0, 255, 51, 102, 1, 2, 3, 4});
  const Bytes labels = npy("|u1", "(2, 1)", {0, 1});
  for (const auto& [name, value] : {std::pair{"nan_label", std::numeric_limits<double>::quiet_NaN()}, std::pair{"fraction_label", 2.9},
                                    std::pair{"label_7_of_2_classes", 7.0}, std::pair{"inf_label", -std::numeric_limits<double>::infinity()}}) {
    const Bytes bad = npy("<f8", "(2, 1)", bytes_of(std::vector<double>{0.0, value}));
    write(dir / ("medmnist/" + std::string(name)), join({images, bad, images, labels, images, labels}));
  }

  // .npy headers at the limits of what the parser must refuse: a length beyond the file, a shape
  // whose element count overflows, a dimension of more digits than 64 bits hold.
  Bytes long_header = npy("<f4", "(2,)", {});
  long_header[8] = 0xff, long_header[9] = 0xff;
  write(dir / "npy_header/length_beyond_file", long_header);
  write(dir / "npy_header/count_overflows", npy("|u1", "(4294967296, 4294967296)", {}));
  write(dir / "npy_header/dimension_overflows", npy("|u1", "(99999999999999999999999,)", {}));
  // The same shapes as members of an archive built with right CRCs.
  write(dir / "npz_built/count_overflows", join({{0x80}, npy("|u1", "(4294967296, 4294967296)", {1, 2})}));
  write(dir / "npz_built/fortran_claims_more", join({{0x00}, npy("<f8", "(1000, 1000)", Bytes(64, 1), true)}));

  // A header of 100,000 nested arrays: SIGSEGV in Model::load.
  const std::string deep = "{\"format\": \"typenet model\", \"x\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
  write(dir / "model_file/deep_header", join({Bytes(deep.begin(), deep.end()), {}}));
  // Weights holding NaN, loaded without a word.
  Bytes file = saved_model<Dense>(false);
  std::uint64_t length = 0;
  for (int i = 0; i < 8; ++i) length |= std::uint64_t{file[12 + i]} << (8 * i);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::memcpy(file.data() + 24 + length + 8, &nan, sizeof nan);
  write(dir / "model_file/nan_weight", model_input(file));
  image_reproducers(dir / "image_decode");
}

}  // namespace

int main(int argc, char** argv) {
  const std::string what = argc == 3 ? argv[1] : "";
  if (what != "seeds" && what != "reproducers") {
    std::cerr << "usage: make_seeds seeds|reproducers <dir>\n";
    return 2;
  }
  if (what == "seeds") seeds(argv[2]);
  else reproducers(argv[2]);
  std::cout << "make_seeds: wrote the " << what << " under " << argv[2] << '\n';
  return 0;
}
