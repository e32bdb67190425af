// The counted B+tree of a sorted set's order (ztree.h): insert/erase with splits, merges and
// redistribution, the linear bulk load, and the invariant check tests use.
#include "ztree.h"

#include <algorithm>

namespace dax {

namespace {
constexpr int LEAF_MIN = ZTree::LEAF_CAP / 4, INNER_MIN = ZTree::INNER_CAP / 4;

bool same(const ZKey& a, const ZKey& b) { return a.score == b.score && a.off == b.off; }
}  // namespace

ZTree::Leaf* ZTree::new_leaf() {
  Leaf* l = new Leaf;
  l->leaf = true;
  l->n = 0;
  bytes_ += sizeof(Leaf);
  return l;
}

ZTree::Inner* ZTree::new_inner() {
  Inner* in = new Inner;
  in->leaf = false;
  in->n = 0;
  bytes_ += sizeof(Inner);
  return in;
}

void ZTree::free_node(Node* x) {
  if (!x) return;
  if (x->leaf) {
    delete as_leaf(x);
    bytes_ -= sizeof(Leaf);
    return;
  }
  Inner* in = as_inner(x);
  for (int i = 0; i < in->n; i++) free_node(in->c[i]);
  delete in;
  bytes_ -= sizeof(Inner);
}

uint64_t ZTree::total(const Node* x) {
  if (x->leaf) return x->n;
  uint64_t t = 0;
  for (int i = 0; i < x->n; i++) t += as_inner(x)->cnt[i];
  return t;
}

int ZTree::child_for(const Inner* x, const ZKey& k) const {
  int lo = 0, hi = x->n;  // the first child whose first entry is above k
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (less_(k, x->first[mid])) hi = mid;
    else lo = mid + 1;
  }
  return lo == 0 ? 0 : lo - 1;
}

void ZTree::set_child(Inner* x, int i, Node* c) {
  x->c[i] = c;
  x->cnt[i] = total(c);
  x->first[i] = first_of(c);
}

namespace {
// Moves n children (with their counts and first entries) of inner arrays, overlapping or not.
template <class In>
void move_children(In* dst, int d, In* src, int s, int n) {
  memmove(&dst->c[d], &src->c[s], n * sizeof(src->c[0]));
  memmove(&dst->cnt[d], &src->cnt[s], n * sizeof(src->cnt[0]));
  memmove(&dst->first[d], &src->first[s], n * sizeof(src->first[0]));
}
}  // namespace

bool ZTree::insert_node(Node* x, const ZKey& k, Node** split) {
  if (x->leaf) {
    Leaf* l = as_leaf(x);
    int pos = int(std::lower_bound(l->k, l->k + l->n, k, less_) - l->k);
    if (pos < l->n && !less_(k, l->k[pos])) return false;  // there already
    if (l->n == LEAF_CAP) {
      Leaf* r = new_leaf();
      int half = LEAF_CAP / 2;
      memcpy(r->k, l->k + half, (LEAF_CAP - half) * sizeof(ZKey));
      r->n = LEAF_CAP - half;
      l->n = half;
      *split = r;
      if (pos > half) {
        l = r;
        pos -= half;
      }
    }
    memmove(l->k + pos + 1, l->k + pos, (l->n - pos) * sizeof(ZKey));
    l->k[pos] = k;
    l->n++;
    return true;
  }
  Inner* in = as_inner(x);
  int i = child_for(in, k);
  Node* s = nullptr;
  if (!insert_node(in->c[i], k, &s)) return false;
  if (!s) {
    in->cnt[i]++;
    if (i == 0) in->first[0] = first_of(in->c[0]);  // only the first child can get a smaller first entry
    return true;
  }
  set_child(in, i, in->c[i]);
  int pos = i + 1;
  if (in->n == INNER_CAP) {
    Inner* r = new_inner();
    int half = INNER_CAP / 2;
    move_children(r, 0, in, half, INNER_CAP - half);
    r->n = INNER_CAP - half;
    in->n = half;
    *split = r;
    if (pos > half) {
      in = r;
      pos -= half;
    }
  }
  move_children(in, pos + 1, in, pos, in->n - pos);
  in->n++;
  set_child(in, pos, s);
  return true;
}

bool ZTree::insert(const ZKey& k) {
  if (!root_) root_ = new_leaf();
  Node* s = nullptr;
  if (!insert_node(root_, k, &s)) return false;
  size_++;
  if (s) {
    Inner* r = new_inner();
    r->n = 2;
    set_child(r, 0, root_);
    set_child(r, 1, s);
    root_ = r;
  }
  return true;
}

void ZTree::rebalance(Inner* x, int i) {
  int j = i + 1 < x->n ? i : i - 1;  // children j and j+1 (left, right)
  Node* a = x->c[j];
  Node* b = x->c[j + 1];
  int cap = a->leaf ? LEAF_CAP : INNER_CAP;
  if (a->n + b->n <= cap) {  // merge b into a, drop b
    if (a->leaf) memcpy(as_leaf(a)->k + a->n, as_leaf(b)->k, b->n * sizeof(ZKey));
    else move_children(as_inner(a), a->n, as_inner(b), 0, b->n);
    a->n += b->n;
    b->n = 0;  // its children now belong to a
    free_node(b);
    move_children(x, j + 1, x, j + 2, x->n - j - 2);
    x->n--;
    set_child(x, j, a);
    return;
  }
  int left = (a->n + b->n) / 2;  // even them out: both end above half full
  if (a->n > left) {             // a's tail to the front of b
    int m = a->n - left;
    if (a->leaf) {
      memmove(as_leaf(b)->k + m, as_leaf(b)->k, b->n * sizeof(ZKey));
      memcpy(as_leaf(b)->k, as_leaf(a)->k + left, m * sizeof(ZKey));
    } else {
      move_children(as_inner(b), m, as_inner(b), 0, b->n);
      move_children(as_inner(b), 0, as_inner(a), left, m);
    }
    a->n -= m;
    b->n += m;
  } else {  // b's head to the end of a
    int m = left - a->n;
    if (a->leaf) {
      memcpy(as_leaf(a)->k + a->n, as_leaf(b)->k, m * sizeof(ZKey));
      memmove(as_leaf(b)->k, as_leaf(b)->k + m, (b->n - m) * sizeof(ZKey));
    } else {
      move_children(as_inner(a), a->n, as_inner(b), 0, m);
      move_children(as_inner(b), 0, as_inner(b), m, b->n - m);
    }
    a->n += m;
    b->n -= m;
  }
  set_child(x, j, a);
  set_child(x, j + 1, b);
}

bool ZTree::erase_node(Node* x, const ZKey& k) {
  if (x->leaf) {
    Leaf* l = as_leaf(x);
    int pos = int(std::lower_bound(l->k, l->k + l->n, k, less_) - l->k);
    if (pos >= l->n || less_(k, l->k[pos])) return false;
    memmove(l->k + pos, l->k + pos + 1, (l->n - pos - 1) * sizeof(ZKey));
    l->n--;
    return true;
  }
  Inner* in = as_inner(x);
  int i = child_for(in, k);
  Node* c = in->c[i];
  if (!erase_node(c, k)) return false;
  in->cnt[i]--;
  if (c->n > 0) in->first[i] = first_of(c);
  if (c->n < (c->leaf ? LEAF_MIN : INNER_MIN) && in->n > 1) rebalance(in, i);
  return true;
}

bool ZTree::erase(const ZKey& k) {
  if (!root_ || !erase_node(root_, k)) return false;
  size_--;
  // The root may be left with one child (the tree gets one level lower) or, as a leaf, empty.
  while (!root_->leaf && root_->n == 1) {
    Inner* old = as_inner(root_);
    root_ = old->c[0];
    old->n = 0;
    free_node(old);
  }
  if (root_->leaf && root_->n == 0) {
    free_node(root_);
    root_ = nullptr;
  }
  return true;
}

void ZTree::bulk_load(const std::vector<ZKey>& sorted) {
  free_node(root_);
  root_ = nullptr;
  size_ = sorted.size();
  if (sorted.empty()) return;
  // Leaves as full as the spread allows (each at least half full), then each level above them.
  std::vector<Node*> level;
  uint64_t n = sorted.size(), nl = (n + LEAF_CAP - 1) / LEAF_CAP, at = 0;
  level.reserve(nl);
  for (uint64_t i = 0; i < nl; i++) {
    Leaf* l = new_leaf();
    l->n = uint16_t(n / nl + (i < n % nl));
    memcpy(l->k, &sorted[at], l->n * sizeof(ZKey));
    at += l->n;
    level.push_back(l);
  }
  while (level.size() > 1) {
    std::vector<Node*> up;
    uint64_t m = level.size(), ng = (m + INNER_CAP - 1) / INNER_CAP;
    up.reserve(ng);
    at = 0;
    for (uint64_t g = 0; g < ng; g++) {
      Inner* in = new_inner();
      in->n = uint16_t(m / ng + (g < m % ng));
      for (int i = 0; i < in->n; i++) set_child(in, i, level[at + i]);
      at += in->n;
      up.push_back(in);
    }
    level.swap(up);
  }
  root_ = level[0];
}

bool ZTree::check_node(const Node* x, int depth, int* leaf_depth, uint64_t* count, const ZKey** prev,
                       const char** why) const {
  if (x != root_ && x->n < (x->leaf ? LEAF_MIN : INNER_MIN)) return *why = "a node under a quarter full", false;
  if (x->leaf) {
    if (*leaf_depth < 0) *leaf_depth = depth;
    if (*leaf_depth != depth) return *why = "leaves at different depths", false;
    const Leaf* l = as_leaf(x);
    for (int i = 0; i < l->n; i++) {
      if (*prev && !less_(**prev, l->k[i])) return *why = "entries out of order", false;
      *prev = &l->k[i];
    }
    *count = l->n;
    return true;
  }
  const Inner* in = as_inner(x);
  *count = 0;
  for (int i = 0; i < in->n; i++) {
    uint64_t c = 0;
    if (in->c[i]->n == 0) return *why = "an empty child", false;
    if (!same(in->first[i], first_of(in->c[i]))) return *why = "a first entry that is not its child's", false;
    if (!check_node(in->c[i], depth + 1, leaf_depth, &c, prev, why)) return false;
    if (c != in->cnt[i]) return *why = "a child count that is wrong", false;
    *count += c;
  }
  return true;
}

bool ZTree::check(const char** why) const {
  if (!root_) {
    if (size_) return *why = "entries counted in an empty tree", false;
    return true;
  }
  int leaf_depth = -1;
  uint64_t count = 0;
  const ZKey* prev = nullptr;
  if (!check_node(root_, 0, &leaf_depth, &count, &prev, why)) return false;
  if (count != size_) return *why = "size differs from the entries", false;
  return true;
}

}  // namespace dax
