// Saved model files: round trips, resuming training, the architecture check, every kind of
// damaged file, and the Keras export.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <nlohmann/json.hpp>
#include <xtensor/xtensor.hpp>
#include <zlib.h>

#include "support/file_bytes.hpp"
#include "support/random_arrays.hpp"
#include "typenet/io/saved_model.hpp"
#include "typenet/typenet.hpp"

namespace test_saved_model {

namespace tn = typenet;
namespace fs = std::filesystem;
using tn::testing::one_hot_cycle;
using tn::testing::read_bytes;
using tn::testing::write_bytes;
using tn::testing::random_matrix;
using Kind = tn::io::ModelFileError::Kind;

namespace {

using Net = tn::Sequential<tn::Input<6>, tn::Dense<8, tn::ReLU>, tn::Dropout<0.5>, tn::Dense<3, tn::Softmax>>;
using Tiny = tn::Sequential<tn::Input<2>, tn::Dense<2, tn::Sigmoid>>;

// A fresh folder per test case, removed afterwards.
struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() / ("typenet_save_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path operator/(const std::string& name) const { return path / name; }
};

bool same_bits(std::span<const float> a, std::span<const float> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size_bytes()) == 0;
}

// The error `load` throws for the file at p (fails the test if it throws none or another type).
template <class N = Net>
tn::io::ModelFileError load_error(const fs::path& p) {
  try {
    (void)tn::Model<N>::load(p);
  } catch (const tn::io::ModelFileError& e) {
    return e;
  }
  FAIL("load accepted " << p);
  throw std::logic_error("unreachable");
}

// A trained, compiled model saved at p.
tn::Model<Net> trained(const fs::path& p, tn::Optimizer optimizer = tn::Adam{}) {
  const auto x = random_matrix(40, 6, 11);
  const auto y = one_hot_cycle(40, 3);
  tn::Model<Net> model{5};
  model.compile(optimizer, tn::CategoricalCrossentropy{});
  model.fit(x, y, {.batch_size = 8, .epochs = 2, .verbose = 0, .validation_split = 0.25});
  model.save(p);
  return model;
}

nlohmann::json section(const fs::path& p, const std::string& name) {
  const tn::io::ModelFileReader file(p);
  for (const auto& s : file.header()["sections"])
    if (s["name"] == name) return nlohmann::json::parse(s.dump());
  FAIL("no section " << name);
  return {};
}

std::uint64_t le64(const std::string& bytes, std::size_t at) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v |= std::uint64_t(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
  return v;
}

// The file with its header replaced by `header` and the preamble's length and CRC made to fit,
// so that what is tested is the header's content rather than its checksum.
std::string with_header(const std::string& bytes, const std::string& header) {
  const std::uint64_t old_length = le64(bytes, 12);
  std::string out = bytes.substr(0, 24) + header + bytes.substr(24 + old_length);
  const std::uint64_t length = header.size();
  for (std::size_t i = 0; i < 8; ++i) out[12 + i] = static_cast<char>(length >> (8 * i));
  const auto crc = static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(header.data()), static_cast<uInt>(header.size())));
  for (std::size_t i = 0; i < 4; ++i) out[20 + i] = static_cast<char>(crc >> (8 * i));
  return out;
}

std::string header_of(const std::string& bytes) { return bytes.substr(24, le64(bytes, 12)); }

}  // namespace

TEST_CASE("save then load gives the same weights, optimizer moments, history and bit-identical predictions") {
  TempDir dir;
  tn::Model<Net> model = trained(dir / "m.typenet");
  auto loaded = tn::Model<Net>::load(dir / "m.typenet");

  CHECK(same_bits(loaded.parameters(), model.parameters()));
  const auto x = random_matrix(17, 6, 99);
  const auto a = model.predict(x), b = loaded.predict(x);
  CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);

  CHECK(loaded.optimizer().iterations() == model.optimizer().iterations());
  CHECK(loaded.optimizer().iterations() == 2 * 4);  // 30 training samples in batches of 8, twice
  REQUIRE(loaded.optimizer().slots() == 2);
  for (std::size_t k = 0; k < 2; ++k) CHECK(same_bits(loaded.optimizer().slot(k), model.optimizer().slot(k)));
  CHECK(std::holds_alternative<tn::Adam>(loaded.optimizer().config()));

  CHECK(loaded.history().epochs() == 2);
  CHECK(loaded.history().to_json() == model.history().to_json());
  CHECK(loaded.history().metrics() == std::vector<std::string>{"loss", "accuracy", "val_loss", "val_accuracy"});

  // Saving the loaded model writes the same bytes: nothing was lost or rounded on the way.
  loaded.save(dir / "again.typenet");
  CHECK(read_bytes(dir / "again.typenet") == read_bytes(dir / "m.typenet"));
}

TEST_CASE("fit on a loaded model continues the run as if it had never stopped") {
  const auto x = random_matrix(48, 6, 21);
  const auto y = one_hot_cycle(48, 3);
  const tn::FitOptions two_epochs{.batch_size = 8, .epochs = 2, .verbose = 0, .validation_split = 0.25};
  tn::FitOptions four_epochs = two_epochs;
  four_epochs.epochs = 4;

  for (tn::Optimizer optimizer : {tn::Optimizer{tn::Adam{}}, tn::Optimizer{tn::RMSprop{.momentum = 0.5}},
                                  tn::Optimizer{tn::SGD{.learning_rate = 0.1, .momentum = 0.9, .nesterov = true}}}) {
    CAPTURE(tn::io::optimizer_json(optimizer).dump());
    TempDir dir;
    tn::Model<Net> uninterrupted{7};
    uninterrupted.compile(optimizer, tn::CategoricalCrossentropy{});
    uninterrupted.fit(x, y, four_epochs);

    tn::Model<Net> first_half{7};
    first_half.compile(optimizer, tn::CategoricalCrossentropy{});
    first_half.fit(x, y, two_epochs);
    first_half.save(dir / "half.typenet");
    auto resumed = tn::Model<Net>::load(dir / "half.typenet");
    const tn::History second = resumed.fit(x, y, two_epochs);

    CHECK(same_bits(resumed.parameters(), uninterrupted.parameters()));
    CHECK(resumed.optimizer().iterations() == uninterrupted.optimizer().iterations());
    CHECK(resumed.history().to_json() == uninterrupted.history().to_json());
    CHECK(resumed.history().epochs() == 4);
    CHECK(second.epochs() == 2);  // fit returns its own epochs, as Keras does

    // The comparison can fail: resuming with fresh optimizer moments ends elsewhere.
    auto recompiled = tn::Model<Net>::load(dir / "half.typenet");
    recompiled.compile(optimizer, tn::CategoricalCrossentropy{});
    recompiled.fit(x, y, two_epochs);
    CHECK_FALSE(same_bits(recompiled.parameters(), uninterrupted.parameters()));
  }
}

TEST_CASE("a model that was never compiled loads uncompiled, and load_weights keeps the rest") {
  TempDir dir;
  tn::Model<Net> fresh{3};
  fresh.save(dir / "fresh.typenet");
  auto loaded = tn::Model<Net>::load(dir / "fresh.typenet");
  CHECK(same_bits(loaded.parameters(), fresh.parameters()));
  const auto x = random_matrix(8, 6, 1);
  CHECK_THROWS_WITH_AS(loaded.fit(x, one_hot_cycle(8, 3)), "fit: call compile(optimizer, loss) first", std::logic_error);

  tn::Model<Net> model = trained(dir / "trained.typenet", tn::SGD{.momentum = 0.5});
  tn::Model<Net> other{9};
  other.compile(tn::RMSprop{}, tn::CategoricalCrossentropy{});
  other.load_weights(dir / "trained.typenet");
  CHECK(same_bits(other.parameters(), model.parameters()));
  CHECK(std::holds_alternative<tn::RMSprop>(other.optimizer().config()));
  CHECK(other.optimizer().iterations() == 0);
  CHECK(other.history().epochs() == 0);
}

TEST_CASE("a file saved from another network is refused with both architectures side by side") {
  TempDir dir;
  trained(dir / "m.typenet");

  // One layer fewer: the first difference is the Dropout the file has at index 2.
  using NoDropout = tn::Sequential<tn::Input<6>, tn::Dense<8, tn::ReLU>, tn::Dense<3, tn::Softmax>>;
  const auto e = load_error<NoDropout>(dir / "m.typenet");
  CHECK(e.kind() == Kind::other_architecture);
  CHECK(e.offset() == 24);
  const std::string message = e.what();
  CAPTURE(message);
  CHECK(message.starts_with((dir / "m.typenet").string() + ": byte 24: the file holds another network"));
  CHECK(message.find("first differ at layer 2") != std::string::npos);
  CHECK(message.find("this program") != std::string::npos);
  CHECK(message.find("the file") != std::string::npos);
  CHECK(message.find("\n> 2   Dense(units=3, activation=softmax, use_bias=true) -> (None, 3), 27 params") != std::string::npos);
  CHECK(message.find("Dropout(rate=0.5) -> (None, 8), 0 params\n") != std::string::npos);
  CHECK(message.find("\n  3   (none)") != std::string::npos);

  // Same shapes and parameter count, another activation: still another network.
  using Sigmoid = tn::Sequential<tn::Input<6>, tn::Dense<8, tn::Sigmoid>, tn::Dropout<0.5>, tn::Dense<3, tn::Softmax>>;
  const auto s = load_error<Sigmoid>(dir / "m.typenet");
  CHECK(s.kind() == Kind::other_architecture);
  CHECK(std::string(s.what()).find("first differ at layer 1") != std::string::npos);
  CHECK(std::string(s.what()).find("activation=sigmoid") != std::string::npos);

  // Another dropout rate; another input size.
  using Rate = tn::Sequential<tn::Input<6>, tn::Dense<8, tn::ReLU>, tn::Dropout<0.25>, tn::Dense<3, tn::Softmax>>;
  CHECK(std::string(load_error<Rate>(dir / "m.typenet").what()).find("first differ at layer 2") != std::string::npos);
  using Wider = tn::Sequential<tn::Input<7>, tn::Dense<8, tn::ReLU>, tn::Dropout<0.5>, tn::Dense<3, tn::Softmax>>;
  CHECK(std::string(load_error<Wider>(dir / "m.typenet").what()).find("first differ at layer 0") != std::string::npos);

  tn::Model<NoDropout> other;
  CHECK_THROWS_AS(other.load_weights(dir / "m.typenet"), tn::io::ModelFileError);
}

TEST_CASE("a truncated file is refused at every length, naming where it ends") {
  TempDir dir;
  const fs::path p = dir / "m.typenet";
  tn::Model<Tiny> model{1};
  model.compile(tn::Adam{}, tn::BinaryCrossentropy{});
  model.save(p);
  const std::string bytes = read_bytes(p);
  const std::uint64_t data_start = section(p, "weights")["offset"].get<std::uint64_t>();
  REQUIRE(data_start % 64 == 0);
  REQUIRE(bytes.size() == data_start + 3 * 6 * sizeof(float));  // weights, m, v: 6 floats each

  const fs::path cut = dir / "cut.typenet";
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    CAPTURE(length);
    write_bytes(cut, bytes.substr(0, length));
    const auto e = load_error<Tiny>(cut);
    CHECK(e.kind() == Kind::truncated);
    CHECK(e.offset() == length);
    CHECK(std::string(e.what()).starts_with(cut.string() + ": byte " + std::to_string(length) + ": "));
  }
  write_bytes(cut, bytes.substr(0, 10));
  CHECK(std::string(load_error<Tiny>(cut).what()) ==
        cut.string() + ": byte 10: the file ends after 10 bytes, inside the 24-byte preamble (magic, version, header length, header CRC-32)");
  write_bytes(cut, bytes.substr(0, data_start + 30));
  CHECK(std::string(load_error<Tiny>(cut).what()) ==
        cut.string() + ": byte " + std::to_string(data_start + 30) + ": section 'optimizer/momentum' needs 24 bytes from byte " +
            std::to_string(data_start + 24) + ", but the file ends at byte " + std::to_string(data_start + 30));
}

TEST_CASE("a file that is not a model file is refused on its magic") {
  TempDir dir;
  const fs::path p = dir / "m.typenet";
  tn::Model<Tiny>{1}.save(p);
  std::string bytes = read_bytes(p);

  bytes[3] = 'X';
  write_bytes(p, bytes);
  auto e = load_error<Tiny>(p);
  CHECK(e.kind() == Kind::wrong_magic);
  CHECK(e.offset() == 3);
  CHECK(std::string(e.what()) == p.string() +
                                     ": byte 3: not a typenet model file: 0x58 where the magic has 0x45 (a model file "
                                     "starts with 89 54 4e 45 54 0d 0a 1a)");

  for (const std::string other : {std::string("{\"format\": \"typenet model\"}"), std::string("ab"),
                                  std::string("\x00\x00\x08\x03\x00\x00\x00\x02", 8)}) {
    write_bytes(p, other);
    e = load_error<Tiny>(p);
    CHECK(e.kind() == Kind::wrong_magic);
    CHECK(e.offset() == 0);
  }
  // A model file sent through a text-mode transfer (CR LF turned into LF).
  tn::Model<Tiny>{1}.save(p);
  std::string mangled = read_bytes(p);
  mangled.erase(5, 1);
  write_bytes(p, mangled);
  e = load_error<Tiny>(p);
  CHECK(e.kind() == Kind::wrong_magic);
  CHECK(e.offset() == 5);
}

TEST_CASE("a changed byte anywhere is caught by a checksum naming the part") {
  TempDir dir;
  const fs::path p = dir / "m.typenet";
  trained(p, tn::SGD{.momentum = 0.9});
  const std::string good = read_bytes(p);

  for (const std::string name : {"weights", "optimizer/momentum"}) {
    const auto s = section(p, name);
    const std::uint64_t offset = s["offset"].get<std::uint64_t>();
    for (std::uint64_t at : {offset, offset + s["bytes"].get<std::uint64_t>() - 1}) {
      std::string bad = good;
      bad[at] ^= 0x01;
      const fs::path q = dir / "bad.typenet";
      write_bytes(q, bad);
      const auto e = load_error(q);
      CAPTURE(e.what());
      CHECK(e.kind() == Kind::checksum_mismatch);
      CHECK(e.offset() == offset);
      CHECK(std::string(e.what()).find("section '" + name + "'") != std::string::npos);
      CHECK(std::string(e.what()).ends_with("; the file is corrupt"));
    }
  }

  // A learning rate changed in the header: valid JSON, but not what was saved.
  std::string bad = good;
  const std::size_t rate = bad.find("\"learning_rate\": 0.01");
  REQUIRE(rate != std::string::npos);
  bad[rate + 20] = '2';
  write_bytes(p, bad);
  const auto e = load_error(p);
  CHECK(e.kind() == Kind::checksum_mismatch);
  CHECK(e.offset() == 24);
  CHECK(std::string(e.what()).find("the header (bytes 24 to ") != std::string::npos);
}

TEST_CASE("a file from a newer typenet is refused as newer") {
  TempDir dir;
  const fs::path p = dir / "m.typenet";
  tn::Model<Tiny>{1}.save(p);
  std::string bytes = read_bytes(p);
  bytes[8] = 2;
  write_bytes(p, bytes);
  const auto e = load_error<Tiny>(p);
  CHECK(e.kind() == Kind::newer_version);
  CHECK(e.offset() == 8);
  CHECK(std::string(e.what()) == p.string() + ": byte 8: format version 2 was written by a newer typenet; this one reads up to version 1");
}

TEST_CASE("bytes after the last section are refused") {
  TempDir dir;
  const fs::path p = dir / "m.typenet";
  tn::Model<Tiny>{1}.save(p);
  const std::string bytes = read_bytes(p);
  write_bytes(p, bytes + "junk");
  const auto e = load_error<Tiny>(p);
  CHECK(e.kind() == Kind::trailing_bytes);
  CHECK(e.offset() == bytes.size());
  CHECK(std::string(e.what()).find("4 unexpected bytes after the last section") != std::string::npos);
}

TEST_CASE("a header that checks out but says the wrong things is refused, naming the problem") {
  TempDir dir;
  const fs::path p = dir / "m.typenet";
  tn::Model<Tiny> model{1};
  model.compile(tn::Adam{}, tn::BinaryCrossentropy{});
  model.save(p);
  const std::string good = read_bytes(p);
  const std::string header = header_of(good);
  const fs::path q = dir / "bad.typenet";

  auto refused = [&](const std::string& new_header) {
    write_bytes(q, with_header(good, new_header));
    return load_error<Tiny>(q);
  };
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string h = header;
    const std::size_t at = h.find(from);
    REQUIRE(at != std::string::npos);
    return h.replace(at, from.size(), to);
  };

  // Not JSON: the offset points at the offending character, the 'y' that makes 't' no "true".
  auto e = refused("{\"format\": typenet}");
  CHECK(e.kind() == Kind::malformed_header);
  CHECK(e.offset() == 24 + 12);
  CHECK(std::string(e.what()).find("the header is not valid JSON") != std::string::npos);

  // JSON of the wrong kind. (The sections' offsets do not move: the replacements keep the length.)
  e = refused(replaced("\"loss\": \"binary_crossentropy\"", "\"loss\": \"binary_crossentropz\""));
  CHECK(e.kind() == Kind::malformed_header);
  CHECK(std::string(e.what()).find("unknown loss 'binary_crossentropz'") != std::string::npos);
  e = refused(replaced("\"class_name\": \"Adam\"", "\"class_name\": \"Adem\""));
  CHECK(std::string(e.what()).find("unknown optimizer 'Adem' (this typenet has RMSprop, Adam, SGD; pass a user's optimizer to load in CustomObjects)") != std::string::npos);
  e = refused(replaced("\"format_version\": 1", "\"format_version\": 7"));
  CHECK(std::string(e.what()).find("differs from the preamble's (1)") != std::string::npos);
  e = refused(replaced("\"name\": \"weights\"", "\"name\": \"wEights\""));
  CHECK(std::string(e.what()) == q.string() + ": byte 24: the header lists no section 'weights'");

  // A header length beyond the end of the file is caught before anything is allocated.
  std::string huge = good;
  huge[12 + 7] = 0x40;
  write_bytes(q, huge);
  e = load_error<Tiny>(q);
  CHECK(e.kind() == Kind::truncated);
  CHECK(std::string(e.what()).find("the preamble announces a header of 461168601842") != std::string::npos);
}

TEST_CASE("a header nested deeper than any typenet writes is refused before it is built") {
  // 100,000 nested arrays once overflowed the stack (SIGSEGV) in load: the CRC is no defence, as
  // whoever writes the file computes it.
  TempDir dir;
  const fs::path p = dir / "m.typenet";
  tn::Model<Tiny> model{1};
  model.save(p);
  const fs::path q = dir / "deep.typenet";
  write_bytes(q, with_header(read_bytes(p), "{\"format\": \"typenet model\", \"x\": " + std::string(100000, '[') +
                                               std::string(100000, ']') + "}"));
  const auto e = load_error<Tiny>(q);
  CHECK(e.kind() == Kind::malformed_header);
  CHECK(std::string(e.what()) == q.string() + ": byte 24: the header nests JSON more than 64 levels deep");
}

TEST_CASE("weights that are NaN or infinite are refused, naming the section and the value") {
  TempDir dir;
  const fs::path p = dir / "m.typenet";
  tn::Model<Tiny> model{1};
  model.save(p);
  const std::string good = read_bytes(p);
  const auto weights = section(p, "weights");
  const std::size_t offset = weights["offset"].get<std::size_t>();
  for (const float bad : {std::numeric_limits<float>::quiet_NaN(), -std::numeric_limits<float>::infinity()}) {
    std::string bytes = good;
    std::memcpy(bytes.data() + offset + 2 * sizeof(float), &bad, sizeof bad);  // value 2
    // The section's CRC made to fit, so that what is tested is the value itself.
    const std::size_t count = weights["bytes"].get<std::size_t>();
    const auto crc = static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(bytes.data() + offset), static_cast<uInt>(count)));
    char hex[9];
    std::snprintf(hex, sizeof hex, "%08x", crc);
    std::string header = header_of(bytes);
    const std::string old_crc = weights["crc32"].get<std::string>();
    REQUIRE(header.find(old_crc) != std::string::npos);
    header.replace(header.find(old_crc), old_crc.size(), hex);
    write_bytes(p, with_header(bytes, header));
    const auto e = load_error<Tiny>(p);
    CHECK(e.kind() == Kind::non_finite_value);
    CHECK(e.offset() == offset + 8);
    CHECK(std::string(e.what()) == p.string() + ": byte " + std::to_string(offset + 8) + ": section 'weights' value 2 is " +
                                       (std::isnan(bad) ? "NaN" : "infinite") + "; a model file holds finite weights only");
  }
}

TEST_CASE("a damaged file never leaves a model half loaded") {
  TempDir dir;
  const fs::path p = dir / "m.typenet";
  trained(p);
  std::string bytes = read_bytes(p);
  bytes[bytes.size() - 1] ^= 0x10;  // the last optimizer slot: the weights before it read fine
  write_bytes(p, bytes);
  CHECK(load_error(p).kind() == Kind::checksum_mismatch);

  // load_weights reads only the weights; damage there leaves the model as it was.
  bytes = read_bytes(p);
  const auto weights = section(p, "weights");
  bytes[weights["offset"].get<std::size_t>() + weights["bytes"].get<std::size_t>() - 2] ^= 0x10;
  write_bytes(p, bytes);
  tn::Model<Net> model{42};
  const std::vector<float> before(model.parameters().begin(), model.parameters().end());
  CHECK_THROWS_AS(model.load_weights(p), tn::io::ModelFileError);
  CHECK(same_bits(model.parameters(), before));

  CHECK(load_error(dir / "missing.typenet").kind() == Kind::cannot_open);
  CHECK(std::string(load_error(dir / "missing.typenet").what()) ==
        (dir / "missing.typenet").string() + ": byte 0: cannot open: No such file or directory");
}

TEST_CASE("export_json writes Keras's model.to_json() layout") {
  TempDir dir;
  using Image = tn::Sequential<tn::Input<28, 28, 1>, tn::Flatten, tn::Dense<64, tn::ReLU>, tn::Dropout<0.25>,
                               tn::Dense<10>, tn::Activation<tn::Softmax>>;
  tn::Model<Image> model;
  model.export_json(dir / "model.json");
  const auto j = nlohmann::json::parse(read_bytes(dir / "model.json"));
  CHECK(j == nlohmann::json::parse(model.to_json()));
  CHECK(j["module"] == "keras");
  CHECK(j["class_name"] == "Sequential");
  CHECK(j["config"]["build_input_shape"] == nlohmann::json::parse("[null, 28, 28, 1]"));
  const auto& layers = j["config"]["layers"];
  REQUIRE(layers.size() == 6);
  CHECK(layers[0]["class_name"] == "InputLayer");
  CHECK(layers[0]["config"] == nlohmann::json::parse(R"({"batch_shape": [null, 28, 28, 1], "dtype": "float32",
                                                         "sparse": false, "name": "input"})"));
  CHECK(layers[1]["class_name"] == "Flatten");
  CHECK(layers[1]["config"]["data_format"] == "channels_last");
  CHECK(layers[2]["config"]["name"] == "dense");
  CHECK(layers[2]["config"]["units"] == 64);
  CHECK(layers[2]["config"]["activation"] == "relu");
  CHECK(layers[2]["config"]["kernel_initializer"]["class_name"] == "GlorotUniform");
  CHECK(layers[2]["build_config"]["input_shape"] == nlohmann::json::parse("[null, 784]"));
  CHECK(layers[3]["config"]["rate"] == 0.25);
  CHECK(layers[4]["config"]["name"] == "dense_1");
  CHECK(layers[4]["config"]["activation"] == "linear");
  CHECK(layers[5]["class_name"] == "Activation");
  CHECK(layers[5]["config"]["activation"] == "softmax");
  for (const auto& layer : layers) {
    CHECK(layer["module"] == "keras.layers");
    CHECK(layer.contains("registered_name"));
  }
}

namespace {
// A layer defined outside typenet that does not describe itself.
struct Doubler {
  template <std::size_t, class In>
  struct at_layer {};
  template <class In>
  struct bind : tn::detail::ParameterFree {
    using layer = Doubler;
    using input_shape = In;
    using output_shape = In;
    static constexpr bool fits = true;
    static constexpr std::string_view keras_class = "Doubler";
    static constexpr std::string_view keras_name = "doubler";
    static void forward(const tn::ForwardPass& p) {
      for (std::size_t i = 0; i < p.batch * In::size; ++i) p.out[i] = 2.0f * p.in[i];
    }
    static void backward(const tn::BackwardPass& p) {
      if (p.din)
        for (std::size_t i = 0; i < p.batch * In::size; ++i) p.din[i] = 2.0f * p.dout[i];
    }
  };
};
}  // namespace

TEST_CASE("a layer without config() saves and loads, described by its C++ type") {
  TempDir dir;
  using WithDoubler = tn::Sequential<tn::Input<4>, Doubler, tn::Dense<2, tn::Softmax>>;
  tn::Model<WithDoubler> model{2};
  model.save(dir / "m.typenet");
  auto loaded = tn::Model<WithDoubler>::load(dir / "m.typenet");
  CHECK(same_bits(loaded.parameters(), model.parameters()));
  const auto j = nlohmann::json::parse(model.to_json());
  CHECK(j["config"]["layers"][1]["class_name"] == "Doubler");
  CHECK(j["config"]["layers"][1]["config"]["typenet_type"].get<std::string>().find("Doubler") != std::string::npos);
}

TEST_CASE("saving where no file can be written says where") {
  tn::Model<Tiny> model;
  try {
    model.save("/proc/typenet-cannot-write-here/m.typenet");
    FAIL("save succeeded");
  } catch (const std::exception& e) {
    CHECK(std::string(e.what()).find("/proc/typenet-cannot-write-here") != std::string::npos);
  }
}

}  // namespace test_saved_model
