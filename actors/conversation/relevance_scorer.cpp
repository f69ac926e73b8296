#include "actors/conversation/relevance_scorer.hpp"

#include "actors/errors.hpp"
#include "protocol/relevance.hpp"

namespace parley {

scorer_actor::behavior_type
relevance_scorer(scorer_actor::pointer self, std::shared_ptr<const config> cfg,
                 std::vector<llm_actor> llm, std::chrono::milliseconds bound) {
  return {
    [=](atom::score, const std::string& tenant,
        const std::vector<memory_entry>& memory,
        const inbound_message& m) -> caf::result<relevance> {
      auto t = cfg->tenant_by_id(tenant);
      if (!t)
        return relevance{0, "unknown tenant " + tenant, "none", 0};
      auto threshold = t->relevance_threshold;
      if (auto r = rule_relevance(*t, m)) {
        r->threshold = threshold;
        return *r;
      }
      if (llm.empty())
        return relevance{0, "no language model to score with; only mentions are answered",
                         "none", threshold};
      auto rp = self->make_response_promise<relevance>();
      auto& worker = llm[shard_of(m.chat, llm.size())];
      auto ask = scorer_request(*t, memory, m);
      ask.run_id = m.event_id;
      self->request(worker, bound, atom::generate_v, std::move(ask))
        .then(
          [=](const llm_answer& a) mutable {
            auto r = parse_score(a.text);
            r.threshold = threshold;
            rp.deliver(r);
          },
          [=](const caf::error& err) mutable {
            // Silence, not a fallback message, in a busy group.
            rp.deliver(relevance{0, "the scorer failed: " + describe(err), "llm",
                                 threshold});
          });
      return rp;
    },
  };
}

} // namespace parley
