#include "actors/schedule/brief_composer.hpp"

#include "actors/errors.hpp"
#include "actors/log.hpp"
#include "protocol/brief.hpp"
#include "protocol/live_text.hpp"
#include "protocol/shell_rules.hpp"

#include <caf/response_promise.hpp>

namespace parley {

namespace {

using self_ptr = brief_actor::stateful_pointer<brief_composer_state>;

/// The reports of one gather, in the brief's order, filled as answers come.
struct gather {
  std::vector<connector_report> reports;
  size_t waiting = 0;
  std::function<void(std::vector<connector_report>)> done;

  void arrived() {
    if (--waiting == 0)
      done(reports);
  }
};

constexpr size_t shell_lines = 3;  ///< of each check's output

void compose(self_ptr self, const brief_sources& src,
             const tenant_config& t, const std::string& date,
             std::vector<connector_report> reports,
             caf::typed_response_promise<composed_brief> rp) {
  // A source the tenant never configured is left out of the brief.
  std::vector<connector_report> shown;
  for (auto& r : reports)
    if (r.status != "not_configured")
      shown.push_back(r);
  auto with_template = [=](std::string why) mutable {
    composed_brief b{brief::render_template(shown, date, t.language), "template",
                     std::move(why), shown};
    rp.deliver(std::move(b));
  };
  if (src.llm.empty())
    return with_template("no LLM configured");
  auto& llm = src.llm[self->state.llm_turn++ % src.llm.size()];
  self->request(llm, src.llm_timeout * 2 + std::chrono::seconds(1), atom::generate_v,
                brief::compose_request(shown, date, t.language))
    .then(
      [=](const llm_answer& a) mutable {
        auto why = brief::invalid_reason(a.text);
        if (!why.empty()) {
          log::warn("brief for " + t.id + ": the model's brief was refused (" + why
                    + "); sending the template");
          return with_template("the model's brief was refused: " + why);
        }
        rp.deliver(composed_brief{a.text, "llm", "", shown});
      },
      [=](const caf::error& err) mutable {
        with_template("the LLM failed: " + describe(err));
      });
}

} // namespace

brief_actor::behavior_type
brief_composer(brief_actor::stateful_pointer<brief_composer_state> self,
               std::shared_ptr<const config> cfg, brief_sources src) {
  return {
    [=](atom::brief, const std::string& tenant,
        const std::string& date) -> caf::result<composed_brief> {
      auto t = cfg->tenant_by_id(tenant);
      if (!t)
        return make_error(errc::not_found, "no tenant '" + tenant + "'");
      auto rp = self->make_response_promise<composed_brief>();
      auto deadline = std::chrono::milliseconds(cfg->brief.deadline_ms);
      auto g = std::make_shared<gather>();
      g->done = [=](std::vector<connector_report> reports) {
        compose(self, src, *t, date, std::move(reports), rp);
      };
      // Every request goes out now with the same timeout: one deadline.
      struct wanted { const char* source; const char* topic; const char* shown_as; };
      static const wanted topics[] = {{"calendar", "agenda", "calendar"},
                                      {"mail", "inbox", "mail"},
                                      {"mail", "followups", "followups"},
                                      {"github", "github", "github"},
                                      {"weather", "weather", "weather"}};
      std::vector<std::function<void()>> asks;
      for (auto& w : topics) {
        auto slot = g->reports.size();
        g->reports.push_back(not_configured(w.shown_as, config_key_of(w.shown_as)));
        auto c = src.connectors ? src.connectors->find(tenant, w.source) : connector_actor{};
        if (!c)
          continue;
        std::string shown_as = w.shown_as, topic = w.topic;
        asks.push_back([=] {
          self->request(c, deadline, atom::summary_v, topic, date)
            .then(
              [=](connector_report& r) {
                r.connector = shown_as;
                g->reports[slot] = std::move(r);
                g->arrived();
              },
              [=](const caf::error&) {
                g->reports[slot].status = "failing";
                g->reports[slot].error = "did not answer within "
                                         + std::to_string(deadline.count()) + " ms";
                g->arrived();
              });
        });
      }
      auto tasks_slot = g->reports.size();
      g->reports.push_back(not_configured("tasks", ""));
      if (src.storage)
        asks.push_back([=] {
          self->request(src.storage, deadline, atom::tasks_v, tenant, t->owner)
            .then(
              [=](const std::vector<std::string>& titles) {
                auto& r = g->reports[tasks_slot];
                r.status = "ok";
                r.lines = titles;
                for (size_t i = 0; i < titles.size() && i < 2; ++i)
                  r.priorities.push_back(titles[i]);
                g->arrived();
              },
              [=](const caf::error& err) {
                auto& r = g->reports[tasks_slot];
                r.status = "failing";
                r.error = "the tasks could not be read: " + describe(err);
                g->arrived();
              });
        });
      // Shell checks: allowlisted commands only, never one needing approval.
      auto shell = src.shells.find(tenant);
      if (shell != src.shells.end() && !t->shell.brief.empty()) {
        auto slot = g->reports.size();
        connector_report r;
        r.connector = "shell";
        r.status = "ok";
        g->reports.push_back(r);
        auto results = std::make_shared<std::vector<std::string>>(t->shell.brief.size());
        auto left = std::make_shared<size_t>(t->shell.brief.size());
        for (size_t i = 0; i < t->shell.brief.size(); ++i) {
          auto line = t->shell.brief[i];
          auto v = judge_shell(line, t->shell.allow);
          if (v.kind != shell_verdict_kind::allow) {
            (*results)[i] = line + ": not run (" + (v.reason.empty() ? "not allowlisted" : v.reason) + ")";
            if (--*left == 0)
              g->reports[slot].lines = *results;
            continue;
          }
          asks.push_back([=, sh = shell->second, argv = v.argv] {
            auto finish = [=](std::string text) {
              (*results)[i] = std::move(text);
              if (--*left == 0)
                g->reports[slot].lines = *results;
              g->arrived();
            };
            self->request(sh, deadline, atom::run_v, argv)
              .then(
                [=](const shell_outcome& o) {
                  if (!o.started)
                    return finish(line + ": " + o.error);
                  std::string out = line + ":";
                  size_t n = 0, pos = 0;
                  while (n < shell_lines && pos < o.output.size()) {
                    auto eol = o.output.find('\n', pos);
                    auto l = o.output.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
                    if (!l.empty()) {
                      out += (n == 0 ? " " : " / ") + l;
                      ++n;
                    }
                    pos = eol == std::string::npos ? o.output.size() : eol + 1;
                  }
                  if (o.exit_code != 0)
                    out += " (exit " + std::to_string(o.exit_code) + ")";
                  finish(out);
                },
                [=](const caf::error&) { finish(line + ": did not finish in time"); });
          });
        }
      }
      g->waiting = asks.size() + 1;  // +1: released below, after every ask went out
      for (auto& ask : asks)
        ask();
      g->arrived();
      return rp;
    },
  };
}

} // namespace parley
