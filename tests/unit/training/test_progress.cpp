#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include "typenet/training/progress.hpp"

namespace test_progress {

namespace {

using typenet::MetricValue;

const MetricValue epoch_metrics[] = {
    {"loss", 0.28134}, {"accuracy", 0.91866}, {"val_loss", 0.12341}, {"val_accuracy", 0.96}};
const MetricValue running_metrics[] = {{"loss", 0.3127}, {"accuracy", 0.9071}};

std::size_t count(const std::string& s, char c) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), c)); }

// What the terminal shows after the last '\r'.
std::string last_redraw(const std::string& s) { return s.substr(s.rfind('\r') + 1); }

std::string metric_text(double v) {
  std::string out;
  typenet::detail::append_metric_value(out, v);
  return out;
}

std::string step_time_text(double seconds) {
  std::string out;
  typenet::detail::append_step_time(out, seconds);
  return out;
}

std::string eta_text(double seconds) {
  std::string out;
  typenet::detail::append_eta(out, seconds);
  return out;
}

}  // namespace

TEST_CASE("progress: non-interactive prints only Keras's final line") {
  std::ostringstream out;
  typenet::ProgressBar bar(out, 469, false);
  for (std::size_t step = 1; step <= 469; ++step) bar.update(step, running_metrics);
  CHECK(out.str().empty());
  bar.finish(epoch_metrics);

  const std::string line = out.str();
  CHECK(count(line, '\n') == 1);
  CHECK(count(line, '\r') == 0);
  const std::regex keras(
      R"(469/469 \[==============================\] - \d+s \d+(s|ms|us)/step - loss: 0\.2813 - accuracy: 0\.9187 - val_loss: 0\.1234 - val_accuracy: 0\.9600\n)");
  CHECK_MESSAGE(std::regex_match(line, keras), line);
}

TEST_CASE("progress: metric values, step times and ETAs are formatted as Keras does") {
  CHECK(metric_text(0.28134) == "0.2813");
  CHECK(metric_text(12.5) == "12.5000");
  CHECK(metric_text(0.0011) == "0.0011");
  CHECK(metric_text(0.001) == "1.0000e-03");  // Keras switches at |v| <= 1e-3
  CHECK(metric_text(0.00042) == "4.2000e-04");
  CHECK(metric_text(0.0) == "0.0000e+00");
  CHECK(metric_text(-0.5) == "-0.5000");
  CHECK(metric_text(std::nan("")) == "nan");

  CHECK(step_time_text(0.0021) == "2ms/step");
  CHECK(step_time_text(0.0000213) == "21us/step");
  CHECK(step_time_text(1.6) == "2s/step");
  CHECK(step_time_text(0.0) == "0s/step");

  CHECK(eta_text(3.7) == "3s");
  CHECK(eta_text(60.0) == "60s");
  CHECK(eta_text(75.2) == "1:15");
  CHECK(eta_text(3725.0) == "1:02:05");
}

TEST_CASE("progress: interactive redraws in place with right-aligned step counts") {
  SUBCASE("an early step: empty bar, ETA") {
    std::ostringstream out;
    typenet::ProgressBar bar(out, 469, true);
    bar.update(9, running_metrics);
    CHECK_MESSAGE(std::regex_match(out.str(), std::regex(R"(\r  9/469 \[\.{30}\] - ETA: \d+s - loss: 0\.3127 - accuracy: 0\.9071)")),
                  out.str());
  }
  SUBCASE("part way: '=' then '>'") {
    std::ostringstream out;
    typenet::ProgressBar bar(out, 469, true);
    bar.update(100, running_metrics);
    CHECK(out.str().rfind("\r100/469 [=====>........................] - ETA: ", 0) == 0);
  }
  SUBCASE("single-digit totals are not padded") {
    std::ostringstream out;
    typenet::ProgressBar bar(out, 5, true);
    bar.update(1, {});
    CHECK(out.str() == "\r1/5 [=====>........................] - ETA: 0s");
  }
}

TEST_CASE("progress: interactive redraws at most every 50 ms, always at the last step") {
  std::ostringstream out;
  typenet::ProgressBar bar(out, 469, true);
  for (std::size_t step = 1; step < 469; ++step) bar.update(step, running_metrics);
  CHECK(count(out.str(), '\r') == 1);  // the loop takes far less than 50 ms

  std::this_thread::sleep_for(std::chrono::milliseconds(70));
  bar.update(200, running_metrics);
  CHECK(count(out.str(), '\r') == 2);

  bar.update(469, running_metrics);
  CHECK(count(out.str(), '\r') == 3);
  CHECK(last_redraw(out.str()).rfind("469/469 [==============================] - ETA: 0s - loss: 0.3127", 0) == 0);
  CHECK(count(out.str(), '\n') == 0);

  bar.finish(epoch_metrics);
  const std::string final_line = last_redraw(out.str());
  CHECK(count(out.str(), '\n') == 1);
  CHECK_MESSAGE(std::regex_match(final_line, std::regex(R"(469/469 \[={30}\] - \d+s \d+(s|ms|us)/step - loss: 0\.2813 - accuracy: 0\.9187 - val_loss: 0\.1234 - val_accuracy: 0\.9600\n)")),
                final_line);
}

TEST_CASE("progress: a shorter redraw blanks out the rest of the previous line") {
  std::ostringstream out;
  typenet::ProgressBar bar(out, 10, true);
  const MetricValue long_names[] = {{"a_rather_long_metric_name", 1.0}, {"another_long_metric_name", 2.0}};
  bar.update(1, long_names);
  const std::size_t first_width = out.str().size() - 1;  // without the '\r'
  std::this_thread::sleep_for(std::chrono::milliseconds(70));
  bar.update(2, running_metrics);
  const std::string second = last_redraw(out.str());
  CHECK(second.size() == first_width);
  CHECK(second.find_last_not_of(' ') < second.find("accuracy: 0.9071") + 20);
  CHECK(second.back() == ' ');
}

}  // namespace test_progress
