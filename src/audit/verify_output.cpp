#include "audit/verify_output.h"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

namespace keyrelay::audit {

std::string render_verify_text(const VerifyReport& report) {
  std::string out;
  std::int64_t events = 0;
  std::size_t bad = 0;
  for (const auto& chain : report.chains) {
    events += chain.events;
    out += chain.chain + ": " + std::to_string(chain.events) + (chain.events == 1 ? " event, " : " events, ");
    if (!chain.first_bad) {
      out += "ok\n";
      continue;
    }
    ++bad;
    const auto& first = *chain.first_bad;
    out += "first bad event seq " + std::to_string(first.seq) + " (" + first.id + "): " + first.reason + "\n";
  }
  const auto chains = report.chains.size();
  if (report.ok) {
    out += "audit log verified: " + std::to_string(chains) + (chains == 1 ? " chain, " : " chains, ") +
           std::to_string(events) + (events == 1 ? " event\n" : " events\n");
  } else {
    out += "audit log NOT verified: " + std::to_string(bad) + " of " + std::to_string(chains) +
           (chains == 1 ? " chain" : " chains") + (bad == 1 ? " has" : " have") + " a bad event\n";
  }
  return out;
}

boost::json::object render_verify_json(const VerifyReport& report) {
  boost::json::array chains;
  chains.reserve(report.chains.size());
  for (const auto& chain : report.chains) {
    boost::json::object item;
    item["chain"] = chain.chain;
    item["events"] = chain.events;
    if (chain.first_bad) {
      item["first_bad"] = boost::json::object{
          {"id", chain.first_bad->id}, {"seq", chain.first_bad->seq}, {"reason", chain.first_bad->reason}};
    } else {
      item["first_bad"] = nullptr;
    }
    chains.push_back(std::move(item));
  }
  boost::json::object out;
  out["ok"] = report.ok;
  out["chains"] = std::move(chains);
  return out;
}

}  // namespace keyrelay::audit
