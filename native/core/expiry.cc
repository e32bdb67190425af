#include "expiry.h"

namespace dax {

void ExpiryIndex::set(uint64_t off, int64_t expire_ms) {
  if (!expire_ms && live_.empty()) return;  // the common case of a store without TTLs: no lookup
  auto it = live_.find(off);
  int64_t prev = it == live_.end() ? 0 : it->second;
  if (prev == expire_ms) return;
  if (in_op_) journal_.push_back({off, prev});
  if (prev) {
    sum_expire_ -= prev;
    live_.erase(it);
  }
  if (expire_ms) {
    live_.emplace(off, expire_ms);
    sum_expire_ += expire_ms;
    due_.push({expire_ms, off});
    if (due_.size() > 2 * live_.size() + 4096) compact();
  }
}

void ExpiryIndex::live(uint64_t off, int64_t expire_ms) { set(off, expire_ms); }
void ExpiryIndex::dead(uint64_t off) { set(off, 0); }

void ExpiryIndex::clear() {
  live_.clear();
  due_ = {};
  sum_expire_ = 0;
  journal_.clear();
}

void ExpiryIndex::op_rollback() {
  in_op_ = false;
  // Newest first, so each entry returns to the value it had before the op.
  for (auto it = journal_.rbegin(); it != journal_.rend(); ++it) set(it->off, it->prev);
  journal_.clear();
}

void ExpiryIndex::compact() {
  std::vector<Due> v;
  v.reserve(live_.size());
  for (auto& [off, exp] : live_) v.push_back({exp, off});
  due_ = decltype(due_)(std::greater<Due>(), std::move(v));
}

// Drops heap entries of items replaced or removed since, until the top is live or not yet due.
bool ExpiryIndex::any_due(int64_t now) {
  while (!due_.empty() && due_.top().first <= now) {
    auto it = live_.find(due_.top().second);
    if (it != live_.end() && it->second == due_.top().first) return true;
    due_.pop();
  }
  return false;
}

bool ExpiryIndex::next_due(int64_t now, uint64_t* off, int64_t* expire_ms) {
  if (!any_due(now)) return false;
  *expire_ms = due_.top().first;
  *off = due_.top().second;
  due_.pop();
  return true;
}

int64_t ExpiryIndex::avg_ttl_ms(int64_t now) const {
  if (live_.empty()) return 0;
  long double avg = sum_expire_ / (long double)live_.size() - (long double)now;
  return avg > 0 ? int64_t(avg) : 0;
}

}  // namespace dax
