// The DRAM order of large sorted sets (zorder.h): the per-key trees, their LRU and byte budget.
#include "zorder.h"

namespace dax {

ZTree* ZOrder::find(uint64_t ch) {
  auto it = trees_.find(ch);
  if (it == trees_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return it->second.tree.get();
}

ZTree* ZOrder::create(uint64_t ch) {
  drop(ch);
  lru_.push_front(ch);
  Entry& e = trees_[ch];
  e.tree = std::make_unique<ZTree>(ZCmp{pool_});
  e.lru = lru_.begin();
  return e.tree.get();
}

void ZOrder::enforce(uint64_t keep) {
  bytes_ = 0;
  for (auto& [ch, e] : trees_) bytes_ += e.tree->bytes();
  // The least recently used go first; the tree in use (keep) stays even if alone it is over.
  while (bytes_ > budget_ && !lru_.empty()) {
    uint64_t victim = lru_.back();
    if (victim == keep) {
      if (lru_.size() == 1) break;
      lru_.splice(lru_.begin(), lru_, std::prev(lru_.end()));
      continue;
    }
    drop(victim);
  }
}

void ZOrder::inserted(uint64_t ch, double score, uint64_t off) {
  auto it = trees_.find(ch);
  if (it == trees_.end()) return;
  touched_.push_back(ch);
  ZTree& t = *it->second.tree;
  uint64_t before = t.bytes();
  t.insert(ZKey{score, off});
  bytes_ += t.bytes() - before;
  if (bytes_ > budget_) enforce(ch);
}

void ZOrder::erased(uint64_t ch, double score, uint64_t off) {
  auto it = trees_.find(ch);
  if (it == trees_.end()) return;
  touched_.push_back(ch);
  ZTree& t = *it->second.tree;
  uint64_t before = t.bytes();
  if (t.erase(ZKey{score, off})) bytes_ -= before - t.bytes();
  else drop(ch);  // not where the pool says it is: the tree is not trusted any more
}

void ZOrder::drop(uint64_t ch) {
  auto it = trees_.find(ch);
  if (it == trees_.end()) return;
  bytes_ -= std::min<uint64_t>(bytes_, it->second.tree->bytes());
  lru_.erase(it->second.lru);
  trees_.erase(it);
}

void ZOrder::clear() {
  trees_.clear();
  lru_.clear();
  touched_.clear();
  bytes_ = 0;
}

void ZOrder::op_rollback() {
  for (uint64_t ch : touched_) drop(ch);
  touched_.clear();
}

}  // namespace dax
