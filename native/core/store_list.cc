// Lists in the pool (list.h has the layout and why it is crash-consistent). Every list is a root
// item under its key naming a ListHeader line, whose head and tail name a chain of nodes. A push or
// pop at an end changes one node line and the header line (plus a neighbour's link when a node is
// added or goes): O(1) whatever the length. An index (LINDEX, LSET, LRANGE's start) walks node
// counts from the nearer end, O(nodes), as Redis's quicklist does. A list's last element going
// deletes the key; an empty list never exists.
#include <algorithm>

#include "hash.h"
#include "list.h"
#include "store.h"

namespace dax {

namespace {

bool same(const uint8_t* a, uint64_t al, const uint8_t* b, uint64_t bl) { return al == bl && (al == 0 || memcmp(a, b, al) == 0); }

uint64_t pow2ceil(uint64_t x) {
  uint64_t p = 64;
  while (p < x) p <<= 1;
  return p;
}

// Lines one pushed value may stage: the end node's line (or a new node's neighbour) and the header.
constexpr uint64_t LIST_LINES_PER_PUSH = 3;
// Nodes one LREM step rewrites at most (each stages its neighbours' lines and the header's).
constexpr uint64_t LIST_LINES_PER_REWRITE = 3;

// Redis's index rules: a negative index counts from the end.
bool normalize_index(int64_t idx, uint64_t len, uint64_t* out) {
  if (idx < 0) idx += int64_t(len);
  if (idx < 0 || uint64_t(idx) >= len) return false;
  *out = uint64_t(idx);
  return true;
}

// LRANGE/LTRIM's start/stop: false when the range is empty.
bool normalize_range(int64_t start, int64_t stop, uint64_t len, uint64_t* a, uint64_t* b) {
  int64_t n = int64_t(len);
  if (start < 0) start += n;
  if (stop < 0) stop += n;
  if (start < 0) start = 0;
  if (start > stop || start >= n) return false;
  if (stop >= n) stop = n - 1;
  *a = uint64_t(start);
  *b = uint64_t(stop);
  return true;
}

}  // namespace

const ListHeader* Store::lhead(uint64_t ch) const { return reinterpret_cast<const ListHeader*>(index_.view(ch)); }
ListHeader* Store::lhead_edit(uint64_t ch) {
  atomic_turn_ = true;  // a list's lines change together: one log step
  return reinterpret_cast<ListHeader*>(index_.edit(ch));
}
const ListNode* Store::lnode(uint64_t line) const { return reinterpret_cast<const ListNode*>(index_.view(line)); }
ListNode* Store::lnode_edit(uint64_t line) {
  atomic_turn_ = true;
  return reinterpret_cast<ListNode*>(index_.edit(line));
}
uint8_t* Store::lpayload(uint64_t line) const { return pool_->at<uint8_t>(line + CACHE_LINE); }

// A new node with room for `need` payload bytes at least (all its chunk gives), unreachable until
// linked: written directly, persisted in phase 1.
uint64_t Store::new_node(uint64_t need, uint64_t owner) {
  uint64_t chunk = new_chunk(aligned_alloc_size(CACHE_LINE + need));
  if (!chunk) return 0;
  uint64_t line = align_line(chunk);
  uint64_t cap = std::min<uint64_t>(alloc_.capacity(chunk) - (line - chunk) - CACHE_LINE, UINT32_MAX);
  ListNode* n = pool_->at<ListNode>(line);
  memset(n, 0, sizeof *n);
  n->magic = LNODE_MAGIC;
  n->cap = uint32_t(cap);
  n->chunk = chunk;
  n->owner = owner;
  dirty_.add(line, CACHE_LINE);
  return line;
}

// Writes entries into a new node, leaving its free room where pushes will come.
void Store::fill_node(uint64_t line, const ListEntry* es, size_t n, uint64_t bytes, ListRoom room) {
  ListNode* nd = pool_->at<ListNode>(line);
  uint64_t lo = room == ListRoom::Left ? nd->cap - bytes : room == ListRoom::Both ? (nd->cap - bytes) / 2 : 0;
  uint8_t* p = lpayload(line) + lo;
  for (size_t i = 0; i < n; i++) p = put_entry(p, es[i].p, es[i].n);
  nd->lo = uint32_t(lo);
  nd->hi = uint32_t(lo + bytes);
  nd->count = uint32_t(n);
  dirty_.add(line + CACHE_LINE + lo, bytes);
}

// Nodes holding `es` in order (filled to the ListLimits; an entry larger than that alone), linked
// to each other and to nothing else yet. A lone node gets room to grow.
St Store::build_nodes(uint64_t owner, const std::vector<ListEntry>& es, ListRoom room, uint64_t* first, uint64_t* last,
                      uint64_t* nodes) {
  *first = *last = *nodes = 0;
  size_t i = 0;
  while (i < es.size()) {
    uint64_t bytes = 0;
    size_t j = i;
    const ListLimits& lim = list_limits_;
    while (j < es.size() && (j == i || (bytes + entry_size(es[j].n) <= lim.node_bytes && j - i < lim.node_entries)))
      bytes += entry_size(es[j++].n);
    bool only = i == 0 && j == es.size();
    uint64_t need = only ? std::max(bytes, std::min(lim.node_bytes, pow2ceil(2 * bytes))) : bytes;
    uint64_t line = new_node(need, owner);
    if (!line) return St::NoMem;
    fill_node(line, &es[i], j - i, bytes, room);
    pool_->at<ListNode>(line)->prev = *last;
    if (*last)
      pool_->at<ListNode>(*last)->next = line;
    else
      *first = line;
    *last = line;
    (*nodes)++;
    i = j;
  }
  return St::Ok;
}

// A new list's header and nodes, unreachable until a root naming the header is published.
St Store::build_list(const std::vector<ListEntry>& es, ListRoom room, uint64_t* ch_out) {
  uint64_t ch = new_chunk(sizeof(ListHeader));
  if (!ch) return St::NoMem;
  uint64_t first, last, nodes;
  St st = build_nodes(ch, es, room, &first, &last, &nodes);
  if (st != St::Ok) return st;
  ListHeader* L = pool_->at<ListHeader>(ch);
  memset(L, 0, sizeof *L);
  L->magic = COLL_MAGIC;
  L->kind = KIND_LIST;
  L->count = es.size();
  L->head = first;
  L->tail = last;
  L->nodes = nodes;
  dirty_.add(ch, sizeof *L);
  *ch_out = ch;
  return St::Ok;
}

uint64_t Store::write_root(const uint8_t* k, uint64_t kl, uint64_t ch, uint8_t kind, uint32_t flags, int64_t expire_ms) {
  CollRoot r{ch, 0};
  Slice part{reinterpret_cast<const uint8_t*>(&r), sizeof r};
  return write_tracked(k, kl, &part, 1, sizeof r, flags, expire_ms, uint8_t(kind | ENC_ROOT));
}

ListRoom Store::room_of(uint64_t ch, uint64_t line) const {
  const ListHeader* L = lhead(ch);
  bool head = L->head == line, tail = L->tail == line;
  return head && tail ? ListRoom::Both : head ? ListRoom::Left : ListRoom::Right;
}

// Replaces node `line` by nodes holding `es` (none: the node is unlinked), relinked in one log step
// with the neighbours' lines and the header's. The header's count is the caller's to change.
St Store::replace_node(uint64_t ch, uint64_t line, const std::vector<ListEntry>& es, ListRoom room) {
  const ListNode* old = lnode(line);
  uint64_t prev = old->prev, next = old->next, chunk = old->chunk;
  uint64_t first = next, last = prev, k = 0;
  if (!es.empty()) {
    St st = build_nodes(ch, es, room, &first, &last, &k);
    if (st != St::Ok) return st;
    pool_->at<ListNode>(first)->prev = prev;
    pool_->at<ListNode>(last)->next = next;
  }
  if (prev)
    lnode_edit(prev)->next = first;
  else
    lhead_edit(ch)->head = first;
  if (next)
    lnode_edit(next)->prev = last;
  else
    lhead_edit(ch)->tail = last;
  ListHeader* L = lhead_edit(ch);
  L->nodes = L->nodes - 1 + k;
  pending_free_.push_back(chunk);
  return St::Ok;
}

St Store::list_push_one(uint64_t ch, bool left, const uint8_t* p, uint64_t n) {
  uint64_t line = left ? lhead(ch)->head : lhead(ch)->tail;
  ListNode nd = *lnode(line);
  const ListNode& persisted = *pool_->at<ListNode>(line);
  uint64_t s = entry_size(n);
  // In place, into bytes outside the node's entries both as staged and as persisted.
  // (A node written under a larger fill keeps its room: only new nodes follow a change of it.)
  bool room = nd.count < list_limits_.node_entries &&
              (left ? nd.lo >= s && nd.lo <= persisted.lo : uint64_t(nd.cap) - nd.hi >= s && nd.hi >= persisted.hi);
  if (room) {
    uint64_t at = left ? nd.lo - s : nd.hi;
    put_entry(lpayload(line) + at, p, n);
    dirty_.add(line + CACHE_LINE + at, s);
    ListNode* ne = lnode_edit(line);
    if (left)
      ne->lo = uint32_t(at);
    else
      ne->hi = uint32_t(at + s);
    ne->count++;
    lhead_edit(ch)->count++;
    return St::Ok;
  }
  ListEntry add{0, p, n};
  std::vector<ListEntry> es;
  if (uint64_t(nd.hi - nd.lo) + s <= list_limits_.node_bytes && nd.count < list_limits_.node_entries &&
      node_decode(nd, lpayload(line), es)) {
    // The node rewritten with the entry and room for more (a small node grows by doubling).
    if (left)
      es.insert(es.begin(), add);
    else
      es.push_back(add);
    St st = replace_node(ch, line, es, room_of(ch, line));
    if (st != St::Ok) return st;
    lhead_edit(ch)->count++;
    return St::Ok;
  }
  uint64_t nl = new_node(std::max(s, list_limits_.node_bytes), ch);
  if (!nl) return St::NoMem;
  fill_node(nl, &add, 1, s, left ? ListRoom::Left : ListRoom::Right);
  ListNode* nn = pool_->at<ListNode>(nl);
  if (left) {
    nn->next = line;
    lnode_edit(line)->prev = nl;
    lhead_edit(ch)->head = nl;
  } else {
    nn->prev = line;
    lnode_edit(line)->next = nl;
    lhead_edit(ch)->tail = nl;
  }
  ListHeader* L = lhead_edit(ch);
  L->nodes++;
  L->count++;
  return St::Ok;
}

// Removes the first (front) or last m entries, m <= count; their values go to out (in pop order)
// when given. Whole nodes are unlinked, a partial one has its bound moved: a few lines whatever m.
void Store::list_cut(uint64_t ch, bool front, uint64_t m, std::vector<std::string>* out) {
  if (!m) return;
  uint64_t line = front ? lhead(ch)->head : lhead(ch)->tail;
  uint64_t left = m, gone = 0;
  std::vector<ListEntry> es;
  while (left && line) {
    ListNode nd = *lnode(line);
    const uint8_t* pay = lpayload(line);
    ListEntry one;
    bool fast = left == 1 && nd.count > 1 && (front ? node_first(nd, pay, &one) : node_last(nd, pay, &one));
    if (!fast && !node_decode(nd, pay, es)) es.clear();  // damaged: the node goes whole (check reports it)
    if (out) {
      if (fast)
        out->emplace_back(reinterpret_cast<const char*>(one.p), one.n);
      else
        for (uint64_t i = 0; i < es.size() && i < left; i++) {
          const ListEntry& e = front ? es[i] : es[es.size() - 1 - i];
          out->emplace_back(reinterpret_cast<const char*>(e.p), e.n);
        }
    }
    if (!fast && (nd.count <= left || es.empty())) {
      left -= std::min<uint64_t>(left, nd.count);
      pending_free_.push_back(nd.chunk);
      gone++;
      line = front ? nd.next : nd.prev;
      continue;
    }
    uint32_t bound = fast ? (front ? uint32_t(one.at + entry_size(one.n)) : one.at)
                          : (front ? es[left].at : es[es.size() - left].at);
    ListNode* ne = lnode_edit(line);
    if (front)
      ne->lo = bound;
    else
      ne->hi = bound;
    ne->count -= uint32_t(left);
    left = 0;
  }
  ListHeader* L = lhead_edit(ch);
  L->count -= std::min(L->count, m);
  if (!gone) return;
  L->nodes -= std::min(L->nodes, gone);
  if (!line) {
    L->head = L->tail = 0;
    return;
  }
  if (front) {
    L->head = line;
    lnode_edit(line)->prev = 0;
  } else {
    L->tail = line;
    lnode_edit(line)->next = 0;
  }
}

// The node holding entry idx and its place there, walking from the nearer end.
bool Store::list_locate(uint64_t ch, uint64_t idx, uint64_t* line, uint64_t* within) const {
  const ListHeader* L = lhead(ch);
  if (idx >= L->count) return false;
  if (idx < L->count / 2) {
    for (uint64_t l = L->head, guard = 0; l && guard <= L->nodes; guard++) {
      const ListNode* n = lnode(l);
      if (idx < n->count) {
        *line = l;
        *within = idx;
        return true;
      }
      idx -= n->count;
      l = n->next;
    }
    return false;
  }
  uint64_t r = L->count - 1 - idx;  // from the tail
  for (uint64_t l = L->tail, guard = 0; l && guard <= L->nodes; guard++) {
    const ListNode* n = lnode(l);
    if (r < n->count) {
      *line = l;
      *within = n->count - 1 - r;
      return true;
    }
    r -= n->count;
    l = n->prev;
  }
  return false;
}

// ---- Commands.

St Store::list_push(const uint8_t* k, uint64_t kl, bool left, const std::vector<Slice>& vals, bool xx, uint64_t* len,
                     bool replace) {
  if (kl > MAX_KEY_LEN) return St::TooLarge;
  for (auto& v : vals)
    if (v.n > LIST_MAX_ENTRY) return St::TooLarge;
  uint64_t hash = hash_key(k, kl);
  *len = 0;
  // Many values of one command go in groups the log holds (in a transaction begin_atomic bounded them).
  uint64_t group = in_atomic_ ? vals.size()
                              : std::max<uint64_t>(1, (index_.log_capacity() - 2 * LOG_OP_MARGIN) / LIST_LINES_PER_PUSH);
  St st = St::Ok;
  for (size_t start = 0; start < vals.size() && st == St::Ok; start += group) {
    size_t end = std::min<size_t>(vals.size(), start + group);
    if (!reserve_log(std::min<uint64_t>(index_.log_capacity(), (end - start) * LIST_LINES_PER_PUSH + 4))) return St::TooManyKeys;
    bool absent = false;
    st = with_reclaim([&]() -> St {
      if (replace && start == 0) del_key(k, kl);  // undone with the op if it runs out of memory
      Found f;
      int r = find_map(k, kl, hash, KIND_LIST, f);
      if (r < 0) return St::WrongType;
      if (r == 0) {
        if (xx) {
          absent = true;
          return St::Ok;
        }
        std::vector<ListEntry> es;
        for (size_t i = start; i < end; i++) es.push_back({0, vals[i].p, vals[i].n});
        if (left) std::reverse(es.begin(), es.end());
        uint64_t ch;
        St s1 = build_list(es, left ? ListRoom::Left : ListRoom::Right, &ch);
        if (s1 != St::Ok) return s1;
        uint64_t off = write_root(k, kl, ch, KIND_LIST, 0, 0);
        if (!off || !publish(hash, nullptr, off)) return St::NoMem;
        *len = es.size();
        return St::Ok;
      }
      uint64_t ch = root_header(f.h);
      for (size_t i = start; i < end; i++) {
        St s1 = list_push_one(ch, left, vals[i].p, vals[i].n);
        if (s1 != St::Ok) return s1;
      }
      *len = lhead(ch)->count;
      return St::Ok;
    });
    if (absent) break;
  }
  return st;
}

St Store::list_pop(const uint8_t* k, uint64_t kl, bool left, uint64_t count, std::vector<std::string>& out) {
  uint64_t hash = hash_key(k, kl);
  return with_reclaim([&]() -> St {
    out.clear();
    Found f;
    int r = find_map(k, kl, hash, KIND_LIST, f);
    if (r < 0) return St::WrongType;
    if (r == 0) return St::NotFound;
    uint64_t ch = root_header(f.h);
    list_cut(ch, left, std::min(count, lhead(ch)->count), &out);
    if (lhead(ch)->count == 0) drop(hash, f.boff, f.idx, f.off, true, true);
    return St::Ok;
  });
}

St Store::list_range(const uint8_t* k, uint64_t kl, int64_t start, int64_t stop, std::vector<Slice>& out) {
  guard_log();
  Found f;
  int r = find_map(k, kl, hash_key(k, kl), KIND_LIST, f);
  if (r < 0) return St::WrongType;
  if (r == 0) return St::Ok;
  uint64_t ch = root_header(f.h), a, b, line, within;
  if (!normalize_range(start, stop, lhead(ch)->count, &a, &b) || !list_locate(ch, a, &line, &within)) return St::Ok;
  uint64_t want = b - a + 1;
  std::vector<ListEntry> es;
  out.reserve(std::min<uint64_t>(want, 1 << 16));
  for (uint64_t guard = 0; line && want && guard <= lhead(ch)->nodes; guard++) {
    const ListNode* n = lnode(line);
    es.clear();
    if (!node_entries(*n, lpayload(line), within, want, es)) break;
    for (const ListEntry& e : es) out.push_back({e.p, e.n});
    want -= std::min<uint64_t>(want, es.size());
    within = 0;
    line = n->next;
  }
  return St::Ok;
}

St Store::list_index(const uint8_t* k, uint64_t kl, int64_t idx, Slice* out) {
  guard_log();
  Found f;
  int r = find_map(k, kl, hash_key(k, kl), KIND_LIST, f);
  if (r < 0) return St::WrongType;
  if (r == 0) return St::NotFound;
  uint64_t ch = root_header(f.h), i, line, within;
  if (!normalize_index(idx, lhead(ch)->count, &i) || !list_locate(ch, i, &line, &within)) return St::NotFound;
  std::vector<ListEntry> es;
  if (!node_entries(*lnode(line), lpayload(line), within, 1, es) || es.empty()) return St::NotFound;
  *out = {es[0].p, es[0].n};
  return St::Ok;
}

St Store::list_set(const uint8_t* k, uint64_t kl, int64_t idx, const uint8_t* v, uint64_t vl) {
  if (vl > LIST_MAX_ENTRY) return St::TooLarge;
  uint64_t hash = hash_key(k, kl);
  return with_reclaim([&]() -> St {
    Found f;
    int r = find_map(k, kl, hash, KIND_LIST, f);
    if (r < 0) return St::WrongType;
    if (r == 0) return St::NotFound;
    uint64_t ch = root_header(f.h), i, line, within;
    if (!normalize_index(idx, lhead(ch)->count, &i) || !list_locate(ch, i, &line, &within)) return St::OutOfRange;
    std::vector<ListEntry> es;
    if (!node_decode(*lnode(line), lpayload(line), es) || within >= es.size()) return St::OutOfRange;
    if (same(es[within].p, es[within].n, v, vl)) return St::Ok;
    es[within] = {0, v, vl};
    return replace_node(ch, line, es, room_of(ch, line));
  });
}

St Store::list_trim(const uint8_t* k, uint64_t kl, int64_t start, int64_t stop) {
  uint64_t hash = hash_key(k, kl);
  return with_reclaim([&]() -> St {
    Found f;
    int r = find_map(k, kl, hash, KIND_LIST, f);
    if (r < 0) return St::WrongType;
    if (r == 0) return St::Ok;
    uint64_t ch = root_header(f.h), len = lhead(ch)->count, a, b;
    if (!normalize_range(start, stop, len, &a, &b)) {
      drop(hash, f.boff, f.idx, f.off, true, true);
      return St::Ok;
    }
    list_cut(ch, true, a, nullptr);
    list_cut(ch, false, len - 1 - b, nullptr);
    return St::Ok;
  });
}

St Store::list_insert(const uint8_t* k, uint64_t kl, bool before, const uint8_t* pv, uint64_t pl, const uint8_t* v,
                      uint64_t vl, int64_t* len) {
  if (vl > LIST_MAX_ENTRY) return St::TooLarge;
  uint64_t hash = hash_key(k, kl);
  return with_reclaim([&]() -> St {
    *len = 0;
    Found f;
    int r = find_map(k, kl, hash, KIND_LIST, f);
    if (r < 0) return St::WrongType;
    if (r == 0) return St::Ok;
    uint64_t ch = root_header(f.h);
    *len = -1;
    std::vector<ListEntry> es;
    for (uint64_t line = lhead(ch)->head, guard = 0; line && guard <= lhead(ch)->nodes; guard++) {
      const ListNode* n = lnode(line);
      uint64_t next = n->next;
      if (node_decode(*n, lpayload(line), es))
        for (size_t i = 0; i < es.size(); i++) {
          if (!same(es[i].p, es[i].n, pv, pl)) continue;
          es.insert(es.begin() + i + (before ? 0 : 1), ListEntry{0, v, vl});
          St st = replace_node(ch, line, es, room_of(ch, line));
          if (st != St::Ok) return st;
          *len = int64_t(++lhead_edit(ch)->count);
          return St::Ok;
        }
      line = next;
    }
    return St::Ok;
  });
}

St Store::list_rem(const uint8_t* k, uint64_t kl, int64_t count, const uint8_t* v, uint64_t vl, uint64_t* removed) {
  uint64_t hash = hash_key(k, kl);
  *removed = 0;
  bool forward = count >= 0;
  uint64_t limit = count == 0 ? UINT64_MAX : count < 0 ? uint64_t(-(count + 1)) + 1 : uint64_t(count);
  // Rewriting a node stages its neighbours' lines and the header's: many nodes go in steps the log
  // holds (in a transaction begin_atomic bounded the turn: one step).
  uint64_t per_step = in_atomic_ ? UINT64_MAX : std::max<uint64_t>(1, (index_.log_capacity() - 2 * LOG_OP_MARGIN) / LIST_LINES_PER_REWRITE);
  for (bool more = true; more;) {
    more = false;
    if (!in_atomic_ && !reserve_log(std::min<uint64_t>(index_.log_capacity(), per_step * LIST_LINES_PER_REWRITE + 4)))
      return St::TooManyKeys;
    uint64_t n_removed = 0;
    St st = with_reclaim([&]() -> St {
      n_removed = 0;
      more = false;
      Found f;
      int r = find_map(k, kl, hash, KIND_LIST, f);
      if (r < 0) return St::WrongType;
      if (r == 0) return St::Ok;
      uint64_t ch = root_header(f.h), rewritten = 0;
      std::vector<ListEntry> es, kept;
      for (uint64_t line = forward ? lhead(ch)->head : lhead(ch)->tail, guard = 0;
           line && *removed + n_removed < limit && guard <= lhead(ch)->nodes + 1; guard++) {
        if (rewritten == per_step) {
          more = true;
          break;
        }
        const ListNode* n = lnode(line);
        uint64_t after = forward ? n->next : n->prev;
        if (node_decode(*n, lpayload(line), es)) {
          kept.clear();
          uint64_t here = 0;
          for (size_t j = 0; j < es.size(); j++) {
            const ListEntry& e = forward ? es[j] : es[es.size() - 1 - j];
            if (*removed + n_removed + here < limit && same(e.p, e.n, v, vl))
              here++;
            else
              kept.push_back(e);
          }
          if (here) {
            if (!forward) std::reverse(kept.begin(), kept.end());
            St s1 = replace_node(ch, line, kept, room_of(ch, line));
            if (s1 != St::Ok) return s1;
            lhead_edit(ch)->count -= here;
            n_removed += here;
            rewritten++;
          }
        }
        line = after;
      }
      if (lhead(ch)->count == 0) {
        drop(hash, f.boff, f.idx, f.off, true, true);
        more = false;
      }
      return St::Ok;
    });
    if (st != St::Ok) return st;
    *removed += n_removed;
  }
  return St::Ok;
}

St Store::list_pos(const uint8_t* k, uint64_t kl, const uint8_t* v, uint64_t vl, int64_t rank, uint64_t count,
                   uint64_t maxlen, std::vector<uint64_t>& out) {
  guard_log();
  Found f;
  int r = find_map(k, kl, hash_key(k, kl), KIND_LIST, f);
  if (r < 0) return St::WrongType;
  if (r == 0) return St::Ok;
  uint64_t ch = root_header(f.h), len = lhead(ch)->count;
  bool forward = rank >= 0;
  uint64_t skip = (forward ? uint64_t(rank) : uint64_t(-(rank + 1)) + 1) - 1;
  uint64_t seen = 0;
  std::vector<ListEntry> es;
  for (uint64_t line = forward ? lhead(ch)->head : lhead(ch)->tail, guard = 0; line && guard <= lhead(ch)->nodes; guard++) {
    const ListNode* n = lnode(line);
    if (!node_decode(*n, lpayload(line), es)) break;
    for (size_t j = 0; j < es.size(); j++, seen++) {
      if (maxlen && seen >= maxlen) return St::Ok;
      const ListEntry& e = forward ? es[j] : es[es.size() - 1 - j];
      if (!same(e.p, e.n, v, vl)) continue;
      if (skip) {
        skip--;
        continue;
      }
      out.push_back(forward ? seen : len - 1 - seen);
      if (count && out.size() >= count) return St::Ok;
    }
    line = forward ? n->next : n->prev;
  }
  return St::Ok;
}

St Store::list_move(const uint8_t* s, uint64_t sl, const uint8_t* d, uint64_t dl, bool from_left, bool to_left,
                    std::string* out) {
  uint64_t hs = hash_key(s, sl), hd = hash_key(d, dl);
  if (!reserve_log(4 * LIST_LINES_PER_PUSH + 4)) return St::TooManyKeys;
  return with_reclaim([&]() -> St {
    Found fs, fd;
    int rs = find_map(s, sl, hs, KIND_LIST, fs);
    if (rs < 0) return St::WrongType;
    if (rs == 0) return St::NotFound;
    if (find_map(d, dl, hd, KIND_LIST, fd) < 0) return St::WrongType;
    uint64_t ch = root_header(fs.h);
    std::vector<std::string> v;
    list_cut(ch, from_left, 1, &v);
    if (v.empty()) return St::NotFound;
    *out = std::move(v[0]);
    if (lhead(ch)->count == 0) drop(hs, fs.boff, fs.idx, fs.off, true, true);
    // The destination again: it may be the source, just gone with its last element.
    int rd = find_map(d, dl, hd, KIND_LIST, fd);
    if (rd == 1) return list_push_one(root_header(fd.h), to_left, reinterpret_cast<const uint8_t*>(out->data()), out->size());
    std::vector<ListEntry> es{{0, reinterpret_cast<const uint8_t*>(out->data()), out->size()}};
    uint64_t nch;
    St st = build_list(es, to_left ? ListRoom::Left : ListRoom::Right, &nch);
    if (st != St::Ok) return st;
    uint64_t off = write_root(d, dl, nch, KIND_LIST, 0, 0);
    if (!off || !publish(hd, nullptr, off)) return St::NoMem;
    atomic_turn_ = true;  // the source's pop and the destination's publication: one step
    return St::Ok;
  });
}

// COPY of a list: its entries into a new structure (O(n), as in Redis).
St Store::copy_list(const ItemHeader* src, const uint8_t* d, uint64_t dl, uint64_t* off_out) {
  uint64_t ch = root_header(src);
  std::vector<ListEntry> all, es;
  for (uint64_t line = lhead(ch)->head, guard = 0; line && guard <= lhead(ch)->nodes; guard++) {
    const ListNode* n = lnode(line);
    if (node_decode(*n, lpayload(line), es)) all.insert(all.end(), es.begin(), es.end());
    line = n->next;
  }
  if (all.empty()) return St::NotFound;
  uint64_t nch;
  St st = build_list(all, ListRoom::Right, &nch);
  if (st != St::Ok) return st;
  *off_out = write_root(d, dl, nch, KIND_LIST, src->flags, src->expire_ms);
  return *off_out ? St::Ok : St::NoMem;
}

// ---- Freeing and marking.

// Frees a deleted list's nodes from q.bucket (its next node line) on, `budget` entries at a time.
// True when every node and the header are freed.
bool Store::free_list_walk(CollFree& q, uint64_t* budget) {
  if (!q.started) {
    q.bucket = lhead(q.ch)->head;
    q.started = true;
  }
  for (uint64_t guard = 0; q.bucket && *budget && guard < (1u << 24); guard++) {
    const ListNode* n = lnode(q.bucket);
    uint64_t next = n->next;
    pending_free_.push_back(n->chunk);
    *budget -= std::min<uint64_t>(*budget, n->count + 1);
    q.bucket = next;
  }
  if (q.bucket) return false;
  pending_free_.push_back(q.ch);
  return true;
}

// The rebuild's mark of a list: every node checked (magic, owner, links both ways, bounds, entries
// = count) before any chunk is marked, so a damaged list is dropped whole (false). Counts that do
// not match the nodes (never after a crash: they change in one log step) are repaired.
bool Store::mark_list(uint64_t ch) {
  const ListHeader* L = lhead(ch);
  std::vector<uint64_t> chunks;
  std::vector<ListEntry> es;
  uint64_t prev = 0, found = 0, max_nodes = pool_->hdr().npages * (SLAB_PAGE_SIZE / MIN_CHUNK);
  for (uint64_t line = L->head; line; ) {
    if (line % CACHE_LINE || line < pool_->hdr().slab_off || line + CACHE_LINE > pool_->hdr().pool_size ||
        chunks.size() > max_nodes)
      return false;
    const ListNode* n = lnode(line);
    if (n->magic != LNODE_MAGIC || n->owner != ch || n->prev != prev || n->chunk > line || line - n->chunk >= CACHE_LINE ||
        alloc_.capacity(n->chunk) < (line - n->chunk) + CACHE_LINE + n->cap || n->count == 0 ||
        !node_decode(*n, lpayload(line), es))
      return false;
    chunks.push_back(n->chunk);
    found += n->count;
    prev = line;
    line = n->next;
  }
  if (L->tail != prev || chunks.empty()) return false;
  if (alloc_.mark(ch, true) != 1) return false;
  for (uint64_t c : chunks)
    if (alloc_.mark(c, false) != 1) return false;
  if (found != L->count || chunks.size() != L->nodes) {
    corrupt_++;
    ListHeader* e = lhead_edit(ch);
    e->count = found;
    e->nodes = chunks.size();
  }
  return true;
}

}  // namespace dax
