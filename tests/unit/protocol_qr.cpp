#define CAF_SUITE qr_text
#include "protocol/qr_text.hpp"
#include "protocol/url.hpp"

#define FAIL CAF_FAIL
#include <caf/test/unit_test.hpp>

#include <sstream>
#include <vector>

using namespace parley;

CAF_TEST(a qr code is drawn as a square of half blocks with a quiet zone) {
  auto text = qr_to_terminal("2@y8eK+bjtEjUWy9/FOM3rLm0ZKz4PqaSo5Ww1yIp1VXbFn0CNdAhKOzL9Q9m9q8cF");
  CAF_REQUIRE(!text.empty());
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  // Every line holds the same number of cells (each 1 or 3 bytes).
  auto cells = [](const std::string& line) {
    size_t n = 0;
    for (unsigned char c : line)
      n += (c & 0xC0) != 0x80;
    return n;
  };
  auto width = cells(lines.front());
  for (auto& line : lines)
    CAF_CHECK_EQUAL(cells(line), width);
  // Two module rows per line: a square code is about twice as wide as tall.
  CAF_CHECK_EQUAL(lines.size(), (width + 1) / 2);
  // The quiet zone is light: the first line is all full blocks.
  CAF_CHECK_EQUAL(lines.front().find(' '), std::string::npos);
  CAF_CHECK(text.find(' ') != std::string::npos); // and there are dark modules
  CAF_CHECK_EQUAL(qr_to_terminal(std::string(5000, 'x')), "");
}

CAF_TEST(a qr code is drawn as svg with its finder patterns and a quiet zone) {
  auto svg = qr_to_svg("2@y8eK+bjtEjUWy9/FOM3rLm0ZKz4PqaSo5Ww1yIp1VXbFn0CNdAhKOzL9Q9m9q8cF");
  CAF_REQUIRE(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ", 0) == 0);
  // The version's width plus four light modules on each side.
  auto size = std::stoi(svg.substr(svg.find("0 0 ") + 4));
  CAF_CHECK_EQUAL((size - 8 - 17) % 4, 0);
  // The top-left finder: a dark corner at the quiet zone's edge, its
  // 7-module border dark, and the separator after it light.
  CAF_CHECK(svg.find("M4 4h1v1h-1z") != std::string::npos);
  CAF_CHECK(svg.find("M10 4h1v1h-1z") != std::string::npos);
  CAF_CHECK(svg.find("M11 4h1v1h-1z") == std::string::npos);
  CAF_CHECK(svg.find("M3 4h1") == std::string::npos);  // the quiet zone is empty
  CAF_CHECK(svg.find("<script") == std::string::npos);
  CAF_CHECK_EQUAL(svg.substr(svg.size() - 6), "</svg>");
  CAF_CHECK_EQUAL(qr_to_svg(std::string(5000, 'x')), "");
}

CAF_TEST(path segments are percent encoded) {
  CAF_CHECK_EQUAL(url_encode("whatsapp-agent_1.x~"), "whatsapp-agent_1.x~");
  CAF_CHECK_EQUAL(url_encode("a b/c?d"), "a%20b%2Fc%3Fd");
  CAF_CHECK_EQUAL(url_encode("é"), "%C3%A9");
}
