#define CAF_SUITE run_trace
#include "protocol/run_trace.hpp"

#define FAIL CAF_FAIL
#include <caf/test/unit_test.hpp>

#include <nlohmann/json.hpp>

using namespace parley;

CAF_TEST(numbers that could name a person are masked and dates and times are kept) {
  CAF_CHECK_EQUAL(mask_numbers(R"({"number": "31600000001", "start": "2026-12-04 10:00"})"),
                  R"({"number": "…01", "start": "2026-12-04 10:00"})");
  CAF_CHECK_EQUAL(mask_numbers("booking 12345 of +31 6 12345678"),
                  "booking 12345 of +31 6 …78");
  CAF_CHECK_EQUAL(mask_numbers(""), "");
}

CAF_TEST(the trace lists every round with its calls in order) {
  std::vector<traced_round> rounds(2);
  rounds[0].model_latency_us = 1200;
  rounds[0].calls = {{"find_slots", R"({"service": "Knippen"})", 40, 300, false},
                     {"book", R"({"name": "Anna 31600000001"})", 20, 500, true}};
  rounds[1].model_latency_us = 900;
  auto j = nlohmann::json::parse(trace_json(rounds));
  CAF_REQUIRE_EQUAL(j.size(), 2u);
  CAF_CHECK_EQUAL(j[0]["round"], 1);
  CAF_CHECK_EQUAL(j[0]["calls"][1]["name"], "book");
  CAF_CHECK_EQUAL(j[0]["calls"][1]["arguments"], R"({"name": "Anna …01"})");
  CAF_CHECK_EQUAL(j[0]["calls"][1]["error"], true);
  CAF_CHECK_EQUAL(j[1]["calls"].size(), 0u);
  CAF_CHECK_EQUAL(trace_json({}), "[]");
}
