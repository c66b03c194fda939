// load_npz: NumPy's own files (tests/data/npz, written by make_fixtures.py), archives built here
// byte by byte with stored and deflated members, and every refusal.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <zip.h>

#include "typenet/data/medmnist.hpp"
#include "typenet/data/npz.hpp"

namespace test_npz {

namespace fs = std::filesystem;
using typenet::data::load_npz;

namespace {

const fs::path npz_fixtures = fs::path(TYPENET_TEST_DATA) / "npz";

// A .npy file: version 1.0 prefix, the dict padded to a 64-byte boundary as NumPy does, the data.
std::vector<std::uint8_t> npy(const std::string& dict, const std::vector<std::uint8_t>& data, int major = 1) {
  std::string header = dict;
  const std::size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::vector<std::uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<std::uint8_t>(major), 0};
  const std::size_t n = header.size();
  out.push_back(static_cast<std::uint8_t>(n & 0xff));
  out.push_back(static_cast<std::uint8_t>(n >> 8));
  if (major != 1) out.insert(out.end(), {static_cast<std::uint8_t>(n >> 16), static_cast<std::uint8_t>(n >> 24)});
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

template <class T>
std::vector<std::uint8_t> bytes_of(const std::vector<T>& values) {
  std::vector<std::uint8_t> out(values.size() * sizeof(T));
  std::memcpy(out.data(), values.data(), out.size());
  return out;
}

struct Member {
  std::string name;
  std::vector<std::uint8_t> bytes;
};

// Writes a zip with libzip; `deflate` chooses the compression method of every member.
fs::path write_zip(const std::string& file, const std::vector<Member>& members, bool deflate) {
  const fs::path path = fs::temp_directory_path() / ("typenet_test_npz_" + file);
  fs::remove(path);
  int error = 0;
  zip_t* zip = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  REQUIRE(zip != nullptr);
  for (const auto& m : members) {
    zip_source_t* source = zip_source_buffer(zip, m.bytes.data(), m.bytes.size(), 0);
    REQUIRE(source != nullptr);
    const zip_int64_t index = zip_file_add(zip, m.name.c_str(), source, ZIP_FL_OVERWRITE);
    REQUIRE(index >= 0);
    REQUIRE(zip_set_file_compression(zip, static_cast<zip_uint64_t>(index), deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0) == 0);
  }
  REQUIRE(zip_close(zip) == 0);
  return path;
}

std::string error_of(const fs::path& path) {
  try {
    load_npz(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

void check_numpy_fixture(const fs::path& path) {
  const auto npz = load_npz(path);
  CHECK(npz.keys() == std::vector<std::string>{"f32", "f64_fortran", "flags", "i32", "i64", "scalar", "u8"});

  const auto u8 = npz.at("u8").as<std::uint8_t, 2>();
  CHECK(npz.at("u8").dtype() == "|u1");
  REQUIRE(u8.shape() == std::array<std::size_t, 2>{2, 3});
  for (std::size_t i = 0; i < 6; ++i) CHECK(u8.data()[i] == i);

  const auto i32 = npz.at("i32").as<int, 1>();
  CHECK(std::vector<int>(i32.begin(), i32.end()) == std::vector<int>{-1, 2, -3});
  const auto i64 = npz.at("i64").as<std::int64_t, 2>();
  CHECK(i64(0, 0) == (std::int64_t{1} << 40));
  CHECK(i64(0, 1) == -5);

  const auto f32 = npz.at("f32").as<float, 2>();
  CHECK(f32(1, 2) == 1.25f);
  const auto fortran = npz.at("f64_fortran").as<double, 3>();
  REQUIRE(fortran.shape() == std::array<std::size_t, 3>{2, 3, 4});
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t j = 0; j < 3; ++j)
      for (std::size_t k = 0; k < 4; ++k) CHECK(fortran(i, j, k) == 100.0 * i + 10.0 * j + k);

  CHECK(npz.at("scalar").shape().empty());
  CHECK(npz.at("scalar").values<double>() == std::vector<double>{2.5});
  CHECK(npz.at("f64_fortran").values<double>()[1] == 1.0);  // C order: (0, 0, 1)
#ifndef __clang__  // npz.hpp: clang 19 cannot instantiate xt::xarray with xtensor 0.24
  CHECK(npz.at("scalar").as<double>()() == 2.5);
  CHECK(npz.at("f32").as<float>().dimension() == 2);
#endif
  const auto flags = npz.at("flags").as<int, 1>();
  CHECK(std::vector<int>(flags.begin(), flags.end()) == std::vector<int>{1, 0, 1});
}

}  // namespace

TEST_CASE("load_npz reads what NumPy's savez and savez_compressed write") {
  check_numpy_fixture(npz_fixtures / "numpy_stored.npz");
  check_numpy_fixture(npz_fixtures / "numpy_deflated.npz");
}

TEST_CASE("load_npz reads archives with stored and deflated members, C and Fortran order, npy versions 1 and 2") {
  for (bool deflate : {false, true}) {
    CAPTURE(deflate);
    const std::vector<float> c_values = {0, 1, 2, 3, 4, 5};          // (2, 3) in C order
    const std::vector<double> f_values = {0, 3, 1, 4, 2, 5};         // the same (2, 3) column-major
    const std::vector<std::int64_t> longs = {-7, 1LL << 50};
    const auto path = write_zip(deflate ? "deflated.npz" : "stored.npz",
                                {{"c.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", bytes_of(c_values))},
                                 {"f.npy", npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", bytes_of(f_values))},
                                 {"v2.npy", npy("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", bytes_of(longs), 2)},
                                 {"empty.npy", npy("{'descr': '|u1', 'fortran_order': False, 'shape': (0, 28), }", {})}},
                                deflate);
    const auto npz = load_npz(path);
    const auto c = npz.at("c").as<float, 2>();
    const auto f = npz.at("f").as<float, 2>();
    CHECK(c == f);
    CHECK(f(1, 0) == 3.0f);
    const auto v2 = npz.at("v2").as<std::int64_t, 1>();
    CHECK(v2(0) == -7);
    CHECK(v2(1) == (std::int64_t{1} << 50));
    CHECK(npz.at("empty").size() == 0);
    CHECK(npz.at("empty").shape() == std::vector<std::size_t>{0, 28});
  }
}

TEST_CASE("load_npz refuses what it cannot read exactly, naming the archive, the member and the problem") {
  const std::vector<std::uint8_t> six(6, 1);
  struct Case {
    const char* what;
    std::vector<std::uint8_t> member;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"object array", npy("{'descr': '|O', 'fortran_order': False, 'shape': (6,), }", six), "object array"},
      {"big-endian", npy("{'descr': '>i4', 'fortran_order': False, 'shape': (1,), }", {0, 0, 0, 1}), "big-endian"},
      {"structured dtype", npy("{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (1,), }", {0, 0, 0, 1}),
       "structured"},
      {"unsupported dtype", npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", std::vector<std::uint8_t>(8)),
       "'<c8' is not supported"},
      {"too few bytes", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", std::vector<std::uint8_t>(20)),
       "shape (2, 3) of dtype '<f4' needs 24 data bytes but the member holds 20"},
      {"too many bytes", npy("{'descr': '|u1', 'fortran_order': False, 'shape': (5,), }", six),
       "shape (5,) of dtype '|u1' needs 5 data bytes but the member holds 6"},
      {"no magic", std::vector<std::uint8_t>(64, 'x'), "no \\x93NUMPY magic"},
      {"unknown version", [] { auto v = npy("{'descr': '|u1', 'fortran_order': False, 'shape': (6,), }", std::vector<std::uint8_t>(6)); v[6] = 9; return v; }(),
       "format version 9.0"},
      {"header longer than the file", [] { auto v = npy("{'descr': '|u1', 'fortran_order': False, 'shape': (0,), }", {}); v[9] = 0x7f; return v; }(),
       "header claims"},
      {"missing key", npy("{'descr': '|u1', 'shape': (6,), }", six), "lacks the key 'fortran_order'"},
      {"unknown key", npy("{'descr': '|u1', 'fortran_order': False, 'shape': (6,), 'x': 1, }", six), "unknown key 'x'"},
      {"bad shape", npy("{'descr': '|u1', 'fortran_order': False, 'shape': (-6,), }", six), "expected a dimension"},
      {"bad boolean", npy("{'descr': '|u1', 'fortran_order': false, 'shape': (6,), }", six), "True or False"},
      {"overflowing shape", npy("{'descr': '|u1', 'fortran_order': False, 'shape': (4294967296, 4294967296, 16), }", six),
       "overflows"},
      {"bool neither 0 nor 1", npy("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", {1, 7}), "not 0 or 1"},
  };
  for (const auto& c : cases) {
    const std::string what = c.what;
    CAPTURE(what);
    const auto path = write_zip("refused.npz", {{"good.npy", npy("{'descr': '|u1', 'fortran_order': False, 'shape': (6,), }", six)},
                                                {"bad.npy", c.member}},
                                true);
    const std::string message = error_of(path);
    CAPTURE(message);
    CHECK(message.find(path.string() + ": member 'bad.npy': ") == 0);
    CHECK(message.find(c.expected) != std::string::npos);
  }
}

TEST_CASE("load_npz refuses NumPy's own object and big-endian arrays") {
  const auto object = error_of(npz_fixtures / "numpy_object.npz");
  CHECK(object.find("member 'objects.npy'") != std::string::npos);
  CHECK(object.find("object array") != std::string::npos);
  const auto big = error_of(npz_fixtures / "numpy_big_endian.npz");
  CHECK(big.find("member 'big.npy'") != std::string::npos);
  CHECK(big.find("'>i4' is big-endian") != std::string::npos);
}

TEST_CASE("load_npz refuses archives that are not .npz: missing, not a zip, foreign members, damaged data") {
  const fs::path missing = fs::temp_directory_path() / "typenet_test_npz_missing.npz";
  fs::remove(missing);
  CHECK(error_of(missing).find("no such file") != std::string::npos);

  const fs::path text = fs::temp_directory_path() / "typenet_test_npz_text.npz";
  std::ofstream(text) << "not a zip at all";
  CHECK(error_of(text).find(text.string() + ": not a readable .npz (zip) archive") == 0);

  const auto foreign = write_zip("foreign.npz", {{"notes.txt", {'h', 'i'}}}, false);
  CHECK(error_of(foreign).find("member 'notes.txt': not a .npy file") != std::string::npos);

  // libzip writes no file for an archive without members; an empty zip is its end record alone.
  const fs::path empty = fs::temp_directory_path() / "typenet_test_npz_empty.npz";
  std::ofstream(empty, std::ios::binary) << std::string("PK\x05\x06", 4) << std::string(18, '\0');
  CHECK(error_of(empty).find("holds no arrays") != std::string::npos);

  // Flip one data byte of a stored member: its CRC no longer matches.
  const std::vector<float> values(64, 1.5f);
  const auto damaged = write_zip("damaged.npz", {{"x.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (64,), }", bytes_of(values))}}, false);
  {
    std::fstream f(damaged, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(30 + 5 + 64 + 100);  // local header, name, .npy header, into the data
    f.put('\x42');
  }
  const std::string message = error_of(damaged);
  CHECK(message.find(damaged.string() + ": member 'x.npy': ") == 0);
  CHECK(message.find("CRC") != std::string::npos);

  const auto ok = write_zip("ok.npz", {{"x.npy", npy("{'descr': '|u1', 'fortran_order': False, 'shape': (6,), }", std::vector<std::uint8_t>(6))}}, true);
  const auto npz = load_npz(ok);
  const std::string absent = [&] {
    try {
      npz.at("y");
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string();
  }();
  CHECK(absent == ok.string() + ": no array 'y' (the archive holds: x)");
  CHECK_THROWS_WITH_AS((npz.at("x").as<float, 2>()), "npz member 'x' has shape (6,) (rank 1), expected rank 2", std::runtime_error);
}

TEST_CASE("load_npz allocates for what a member holds, not for what the zip directory claims") {
  // A 178-byte archive whose directory claims 4 GiB uncompressed once made load_npz allocate and
  // zero-fill all of it before refusing the file.
  const std::vector<std::uint8_t> data(16, 7);
  const auto path = write_zip("claims_4gib.npz", {{"x.npy", npy("{'descr': '|u1', 'fortran_order': False, 'shape': (16,), }", data)}}, true);
  std::vector<char> bytes(fs::file_size(path));
  std::ifstream(path, std::ios::binary).read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  auto put_le32 = [&](std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>(v >> (8 * i));
  };
  put_le32(22, 0xfffffffeu);  // the local header's uncompressed size
  const std::string central("PK\x01\x02", 4);
  const auto entry = std::search(bytes.begin(), bytes.end(), central.begin(), central.end()) - bytes.begin();
  REQUIRE(entry < static_cast<std::ptrdiff_t>(bytes.size()));
  put_le32(static_cast<std::size_t>(entry) + 24, 0xfffffffeu);  // the central directory's
  std::uint32_t compressed = 0;
  for (int i = 0; i < 4; ++i) compressed |= std::uint32_t{static_cast<unsigned char>(bytes[entry + 20 + i])} << (8 * i);
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  CHECK(error_of(path) == path.string() + ": member 'x.npy': the zip directory claims 4294967294 bytes uncompressed from " +
                              std::to_string(compressed) + " compressed bytes, more than deflate can expand to");
}

TEST_CASE("a float that an integer type cannot hold is refused, not cast") {
  // Found by fuzz/npz_built.cpp: -12 converted to uint8 is undefined behaviour in C++.
  const auto path = write_zip("float_to_int.npz", {{"x.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }",
                                                                   bytes_of(std::vector<float>{1.5f, 255.9f, -12.5f}))}}, false);
  const auto npz = load_npz(path);
  CHECK(npz.at("x").values<int>() == std::vector<int>{1, 255, -12});  // truncated, as NumPy's astype
  CHECK_THROWS_WITH_AS(npz.at("x").values<std::uint8_t>(),
                       "npz member 'x': element 2 is -12.500000, which the requested integer type (0 to 255) cannot hold",
                       std::runtime_error);
  const auto nan = write_zip("nan_to_int.npz", {{"x.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }",
                                                               bytes_of(std::vector<double>{NAN}))}}, false);
  CHECK_THROWS_WITH(load_npz(nan).at("x").values<std::int64_t>(), doctest::Contains("element 0 is nan"));
}

// Figures from NumPy (the command is in tests/data/npz/make_fixtures.py's header):
TEST_CASE("load_npz reads the vendored PneumoniaMNIST exactly as NumPy does") {
  const auto npz = load_npz(fs::path(TYPENET_TEST_DATA) / "../../third_party/pneumoniamnist/pneumoniamnist.npz");
  struct Split {
    const char* name;
    std::size_t count;
    std::int64_t pixel_sum, pneumonia;
    int first_centre, last_corner;
  };
  for (const Split s : {Split{"train", 4708, 538305934, 3494, 196, 150}, Split{"val", 524, 59624090, 389, 152, 158},
                        Split{"test", 624, 70355184, 390, 188, 16}}) {
    CAPTURE(s.name);
    const auto images = npz.at(std::string(s.name) + "_images").as<std::uint8_t, 3>();
    const auto labels = npz.at(std::string(s.name) + "_labels").as<std::int64_t, 2>();
    REQUIRE(images.shape() == std::array<std::size_t, 3>{s.count, 28, 28});
    REQUIRE(labels.shape() == std::array<std::size_t, 2>{s.count, 1});
    std::int64_t sum = 0, positives = 0;
    for (auto v : images) sum += v;
    for (auto v : labels) positives += v;
    CHECK(sum == s.pixel_sum);
    CHECK(positives == s.pneumonia);
    CHECK(images(0, 14, 14) == s.first_centre);
    CHECK(images(s.count - 1, 0, 27) == s.last_corner);
  }
}

TEST_CASE("load_medmnist scales pixels, flattens labels, and refuses archives of another layout") {
  const std::vector<std::uint8_t> two_images = {0, 255, 51, 102, 1, 2, 3, 4};  // (2, 2, 2)
  auto split = [&](const std::string& name, const std::string& image_shape, const std::vector<std::uint8_t>& pixels,
                   const std::string& label_shape, const std::vector<std::uint8_t>& labels) {
    return std::vector<Member>{
        {name + "_images.npy", npy("{'descr': '|u1', 'fortran_order': False, 'shape': " + image_shape + ", }", pixels)},
        {name + "_labels.npy", npy("{'descr': '|u1', 'fortran_order': False, 'shape': " + label_shape + ", }", labels)}};
  };
  auto archive = [&](const std::string& file, std::vector<Member> train) {
    for (const auto& s : {"val", "test"})
      for (auto& m : split(s, "(2, 2, 2)", two_images, "(2, 1)", {0, 1})) train.push_back(m);
    return write_zip(file, train, true);
  };
  const auto good = typenet::data::load_medmnist(archive("medmnist.npz", split("train", "(2, 2, 2)", two_images, "(2, 1)", {1, 0})));
  CHECK(good.train.images(0, 0, 1) == 1.0f);
  CHECK(good.train.images(0, 1, 0) == doctest::Approx(0.2f));
  CHECK(good.train.labels(0) == 1);
  CHECK(good.test.labels(1) == 1);

  const auto rank = archive("medmnist_rank.npz", split("train", "(2, 4)", two_images, "(2, 1)", {1, 0}));
  CHECK_THROWS_WITH_AS(typenet::data::load_medmnist(rank),
                       (rank.string() + ": train_images has rank 2; expected (n, height, width) grayscale images").c_str(),
                       std::runtime_error);
  const auto count = archive("medmnist_count.npz", split("train", "(2, 2, 2)", two_images, "(3, 1)", {1, 0, 1}));
  CHECK_THROWS_WITH_AS(typenet::data::load_medmnist(count), (count.string() + ": train_labels has 3 labels for 2 images").c_str(),
                       std::runtime_error);
  // Labels: as stored when integers or bools, floats only when exact integers, each checked
  // against the data set's number of classes when the file has a MedMNIST name.
  auto with_labels = [&](const std::string& file, const std::string& descr, const std::vector<std::uint8_t>& label_bytes) {
    auto members = split("train", "(2, 2, 2)", two_images, "(2, 1)", {});
    members[1].bytes = npy("{'descr': '" + descr + "', 'fortran_order': False, 'shape': (2, 1), }", label_bytes);
    return archive(file, members);
  };
  CHECK(typenet::data::load_medmnist(with_labels("medmnist_f8.npz", "<f8", bytes_of(std::vector<double>{1.0, 3.0}))).train.labels(1) == 3);
  CHECK(typenet::data::load_medmnist(with_labels("medmnist_bool.npz", "|b1", {1, 0})).train.labels(0) == 1);
  const auto fraction = with_labels("medmnist_fraction.npz", "<f8", bytes_of(std::vector<double>{1.0, 2.9}));
  CHECK_THROWS_WITH_AS(typenet::data::load_medmnist(fraction),
                       (fraction.string() + ": train_labels[1] is 2.8999999999999999 (dtype '<f8'); expected a class index, "
                                            "an integer from 0 to 255").c_str(),
                       std::runtime_error);
  const auto nan = with_labels("medmnist_nan.npz", "<f4", bytes_of(std::vector<float>{NAN, 0.0f}));
  CHECK_THROWS_WITH_AS(typenet::data::load_medmnist(nan),
                       (nan.string() + ": train_labels[0] is nan (dtype '<f4'); expected a class index, an integer from 0 to 255").c_str(),
                       std::runtime_error);
  const auto negative = with_labels("medmnist_negative.npz", "<i8", bytes_of(std::vector<std::int64_t>{0, -1}));
  CHECK_THROWS_WITH_AS(typenet::data::load_medmnist(negative),
                       (negative.string() + ": train_labels[1] is -1 (dtype '<i8'); expected a class index, an integer from 0 to 255").c_str(),
                       std::runtime_error);
  // Under its MedMNIST name the file's own task is known: PneumoniaMNIST has 2 classes.
  const fs::path named_dir = fs::temp_directory_path() / "typenet_test_medmnist_named";
  fs::create_directories(named_dir);
  const fs::path pneumonia = named_dir / "pneumoniamnist_64.npz";
  fs::copy_file(with_labels("medmnist_two.npz", "|u1", {1, 2}), pneumonia, fs::copy_options::overwrite_existing);
  CHECK_THROWS_WITH_AS(typenet::data::load_medmnist(pneumonia),
                       (pneumonia.string() + ": train_labels[1] is 2 (dtype '|u1'); expected a class index, an integer from 0 to 1 "
                                             "(pneumoniamnist_64.npz has 2 classes)").c_str(),
                       std::runtime_error);

  const auto missing = write_zip("medmnist_missing.npz", split("train", "(2, 2, 2)", two_images, "(2, 1)", {1, 0}), true);
  CHECK_THROWS_WITH_AS(typenet::data::load_medmnist(missing),
                       (missing.string() + ": no array 'val_images' (the archive holds: train_images, train_labels)").c_str(),
                       std::runtime_error);
}

}  // namespace test_npz
