#include "alloc.h"

#include <algorithm>

namespace dax {

Allocator::Allocator(Pool& pool, DirtyRanges& dirty) : pool_(pool), dirty_(dirty) {
  const PoolHeaderStatic& h = pool.hdr();
  slab_off_ = h.slab_off;
  npages_ = uint32_t(h.npages);
  nclasses_ = h.nclasses;
  std::copy(h.class_size, h.class_size + MAX_CLASSES, class_size_);
  classes_.resize(nclasses_);
  for (uint32_t c = 0; c < nclasses_; c++) {
    classes_[c].size = class_size_[c];
    classes_[c].per_page = uint32_t(SLAB_PAGE_SIZE / class_size_[c]);
  }
}

uint32_t Allocator::class_for(uint64_t bytes) const {
  if (bytes > class_size_[nclasses_ - 1]) return nclasses_;
  uint32_t lo = 0, hi = nclasses_ - 1;
  while (lo < hi) {
    uint32_t mid = (lo + hi) / 2;
    if (class_size_[mid] >= bytes) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

void Allocator::set_entry(uint32_t p, uint64_t e) {
  uint64_t* w = pool_.page_entry_ptr(p);
  if (*w == e) return;
  __atomic_store_n(w, e, __ATOMIC_RELAXED);
  dirty_.add(pool_.off_of(w), 8);
}

bool Allocator::is_meta_page(uint32_t p) const {
  return is_extension_page(pool_.hdr(), p);
}

void Allocator::grow() {
  uint32_t old = npages_, now = uint32_t(pool_.hdr().npages);
  if (now <= old) return;
  pages_.resize(now);
  npages_ = now;
  uint32_t p = old;
  while (p < now && is_meta_page(p)) pages_[p++].kind = PAGE_META;
  if (p < now) give_pages(p, now - p);  // entries are zero already (Pool::grow)
  if (sweep_cursor_ >= old) sweep_cursor_ = now;  // the new pages need no sweep
}

void Allocator::load(bool fresh) {
  pages_.assign(npages_, PageState());
  free_runs_.clear();
  free_page_count_ = 0;
  used_bytes_ = 0;
  sweep_cursor_ = npages_;
  for (uint32_t p = 0; p < npages_; p++) {
    uint64_t e = fresh ? 0 : *pool_.page_entry_ptr(p);
    PageState& ps = pages_[p];
    if (is_meta_page(p)) {  // the page-table extension: its place is fixed by the header
      ps.kind = PAGE_META;
      continue;
    }
    switch (entry_kind(e)) {
      case PAGE_SLAB:
        if (entry_class(e) < nclasses_) {
          init_slab_page(p, entry_class(e), false);
          break;
        }
        give_pages(p, 1);  // damaged entry: nothing valid can live there
        break;
      case PAGE_LARGE_HEAD:
        if (entry_run(e) >= 1 && uint64_t(p) + entry_run(e) <= npages_) {
          ps.kind = PAGE_LARGE_HEAD;
          ps.run = entry_run(e);
          ps.swept = false;
          break;
        }
        give_pages(p, 1);
        break;
      case PAGE_LARGE_CONT:
        ps.kind = PAGE_LARGE_CONT;
        ps.swept = false;
        break;
      default:
        give_pages(p, 1);
    }
    if (!ps.swept && sweep_cursor_ == npages_) sweep_cursor_ = p;
  }
}

void Allocator::init_slab_page(uint32_t p, uint32_t cls, bool swept) {
  PageState& ps = pages_[p];
  ps.kind = PAGE_SLAB;
  ps.cls = uint8_t(cls);
  ps.swept = swept;
  ps.nused = 0;
  ps.hint = 0;
  ps.partial_pos = -1;
  // Per-chunk vectors are made on first use (vectors()), not here: load() runs this for every
  // page in use, and open must not cost time in proportion to the data.
  ps.used.clear();
  ps.verified.clear();
  ps.access.clear();
  classes_[cls].pages++;
}

Allocator::PageState& Allocator::vectors(uint32_t p) {
  PageState& ps = pages_[p];
  if (ps.kind == PAGE_SLAB && ps.used.empty()) {
    uint32_t per_page = classes_[ps.cls].per_page, words = (per_page + 63) / 64;
    ps.used.assign(words, 0);
    ps.verified.assign(words, 0);
    ps.access.assign(per_page, 0);
  }
  return ps;
}

uint32_t Allocator::take_pages(uint32_t n) {
  for (auto it = free_runs_.begin(); it != free_runs_.end(); ++it) {
    if (it->second < n) continue;
    uint32_t start = it->first, len = it->second;
    free_runs_.erase(it);
    if (len > n) free_runs_.emplace(start + n, len - n);
    free_page_count_ -= n;
    return start;
  }
  return UINT32_MAX;
}

void Allocator::give_pages(uint32_t p, uint32_t n) {
  for (uint32_t q = p; q < p + n; q++) {
    PageState& ps = pages_[q];
    ps = PageState();
    set_entry(q, 0);
  }
  free_page_count_ += n;
  uint32_t start = p, len = n;
  auto next = free_runs_.lower_bound(p);
  if (next != free_runs_.end() && next->first == p + n) {
    len += next->second;
    next = free_runs_.erase(next);
  }
  if (next != free_runs_.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second == p) {
      start = prev->first;
      len += prev->second;
      free_runs_.erase(prev);
    }
  }
  free_runs_.emplace(start, len);
}

void Allocator::partial_add(uint32_t p) {
  PageState& ps = pages_[p];
  if (ps.partial_pos >= 0) return;
  auto& v = classes_[ps.cls].partial;
  ps.partial_pos = int32_t(v.size());
  v.push_back(p);
}

void Allocator::partial_remove(uint32_t p) {
  PageState& ps = pages_[p];
  if (ps.partial_pos < 0) return;
  auto& v = classes_[ps.cls].partial;
  uint32_t last = v.back();
  v[ps.partial_pos] = last;
  pages_[last].partial_pos = ps.partial_pos;
  v.pop_back();
  ps.partial_pos = -1;
}

void Allocator::release_slab_page(uint32_t p) {
  partial_remove(p);
  classes_[pages_[p].cls].pages--;
  give_pages(p, 1);
}

uint64_t Allocator::alloc(uint64_t bytes) {
  uint32_t cls = class_for(bytes);
  if (cls < nclasses_) {
    ClassState& cs = classes_[cls];
    if (cs.partial.empty()) {
      uint32_t p = take_pages(1);
      if (p == UINT32_MAX) return 0;
      init_slab_page(p, cls, true);
      set_entry(p, page_entry(PAGE_SLAB, cls, 0));
      partial_add(p);
    }
    uint32_t p = cs.partial.back();
    PageState& ps = vectors(p);
    uint32_t words = uint32_t(ps.used.size());
    for (uint32_t w = ps.hint; w < words; w++) {
      uint64_t freebits = ~ps.used[w];
      if (w == words - 1 && cs.per_page % 64) freebits &= (1ull << (cs.per_page % 64)) - 1;
      if (!freebits) continue;
      uint32_t bit = __builtin_ctzll(freebits);
      ps.used[w] |= 1ull << bit;
      ps.verified[w] &= ~(1ull << bit);
      ps.hint = w;
      ps.nused++;
      cs.used++;
      used_bytes_ += cs.size;
      if (ps.nused == cs.per_page) partial_remove(p);
      return page_off(p) + uint64_t(w * 64 + bit) * cs.size;
    }
    return 0;  // unreachable: partial pages always have a free chunk
  }
  uint32_t n = uint32_t((bytes + SLAB_PAGE_SIZE - 1) / SLAB_PAGE_SIZE);
  uint32_t p = take_pages(n);
  if (p == UINT32_MAX) return 0;
  set_entry(p, page_entry(PAGE_LARGE_HEAD, 0, n));
  PageState& ps = pages_[p];
  ps.kind = PAGE_LARGE_HEAD;
  ps.run = n;
  ps.nused = 1;
  ps.swept = true;
  ps.verified.assign(1, 0);
  ps.access.assign(1, 0);
  for (uint32_t q = p + 1; q < p + n; q++) {
    pages_[q].kind = PAGE_LARGE_CONT;
    pages_[q].swept = true;
    set_entry(q, page_entry(PAGE_LARGE_CONT, 0, 0));
  }
  used_bytes_ += uint64_t(n) * SLAB_PAGE_SIZE;
  return page_off(p);
}

int Allocator::chunk_index(uint32_t p, uint64_t off) const {
  uint64_t rel = off - page_off(p);
  uint32_t size = classes_[pages_[p].cls].size;
  if (rel % size) return -1;
  uint64_t idx = rel / size;
  if (idx >= classes_[pages_[p].cls].per_page) return -1;
  return int(idx);
}

uint64_t Allocator::capacity(uint64_t off) const {
  if (off < slab_off_) return 0;
  uint32_t p = page_of(off);
  if (p >= npages_) return 0;
  const PageState& ps = pages_[p];
  if (ps.kind == PAGE_SLAB) return chunk_index(p, off) < 0 ? 0 : classes_[ps.cls].size;
  if (ps.kind == PAGE_LARGE_HEAD && off == page_off(p)) return uint64_t(ps.run) * SLAB_PAGE_SIZE;
  return 0;
}

bool Allocator::in_use(uint64_t off) const {
  if (off < slab_off_ || page_of(off) >= npages_) return false;
  uint32_t p = page_of(off);
  const PageState& ps = pages_[p];
  if (ps.kind == PAGE_SLAB) {
    int idx = chunk_index(p, off);
    return idx >= 0 && !ps.used.empty() && (ps.used[idx / 64] >> (idx % 64)) & 1;
  }
  return ps.kind == PAGE_LARGE_HEAD && off == page_off(p) && ps.nused;
}

bool Allocator::is_large(uint64_t off) const { return pages_[page_of(off)].kind == PAGE_LARGE_HEAD; }

void Allocator::free(uint64_t off) {
  uint32_t p = page_of(off);
  PageState& ps = vectors(p);
  if (ps.kind == PAGE_SLAB) {
    int idx = chunk_index(p, off);
    if (idx < 0) return;
    uint64_t bit = 1ull << (idx % 64);
    if (!(ps.used[idx / 64] & bit)) return;
    ps.used[idx / 64] &= ~bit;
    ps.verified[idx / 64] &= ~bit;
    ClassState& cs = classes_[ps.cls];
    bool was_full = ps.nused == cs.per_page;
    ps.nused--;
    cs.used--;
    used_bytes_ -= cs.size;
    if (!ps.swept) return;  // the sweep will account for it
    ps.hint = std::min<uint32_t>(ps.hint, idx / 64);
    if (ps.nused == 0) release_slab_page(p);
    else if (was_full) partial_add(p);
    return;
  }
  if (ps.kind == PAGE_LARGE_HEAD && ps.nused) {
    ps.nused = 0;
    used_bytes_ -= uint64_t(ps.run) * SLAB_PAGE_SIZE;
    if (ps.swept) give_pages(p, ps.run);
  }
}

int Allocator::mark(uint64_t off, bool overflow_bucket) {
  if (off < slab_off_) return 0;
  uint32_t p = page_of(off);
  if (p >= npages_) return 0;
  PageState& ps = vectors(p);
  if (ps.kind == PAGE_SLAB) {
    if (overflow_bucket && ps.cls != 0) return 0;
    int idx = chunk_index(p, off);
    if (idx < 0) return 0;
    uint64_t bit = 1ull << (idx % 64);
    // Set already: allocated during the rebuild (swept page: fine), or a second reference (damage).
    if (ps.used[idx / 64] & bit) return ps.swept ? 1 : -1;
    if (ps.swept) return 0;  // a swept page's free chunk cannot be referenced
    ps.used[idx / 64] |= bit;
    ps.nused++;
    classes_[ps.cls].used++;
    used_bytes_ += classes_[ps.cls].size;
    return 1;
  }
  if (ps.kind == PAGE_LARGE_HEAD && !overflow_bucket && off == page_off(p)) {
    for (uint32_t q = p + 1; q < p + ps.run; q++)
      if (pages_[q].kind != PAGE_LARGE_CONT) return 0;
    if (ps.nused) return ps.swept ? 1 : -1;
    if (ps.swept) return 0;
    ps.nused = 1;
    used_bytes_ += uint64_t(ps.run) * SLAB_PAGE_SIZE;
    return 1;
  }
  return 0;
}

bool Allocator::sweep(uint32_t budget) {
  while (sweep_cursor_ < npages_ && budget--) {
    uint32_t p = sweep_cursor_;
    PageState& ps = pages_[p];
    if (ps.swept) {
      sweep_cursor_++;
      continue;
    }
    if (ps.kind == PAGE_SLAB) {
      ps.swept = true;
      if (ps.nused == 0) release_slab_page(p);
      else if (ps.nused < classes_[ps.cls].per_page) partial_add(p);
      sweep_cursor_++;
    } else if (ps.kind == PAGE_LARGE_HEAD && ps.nused) {
      ps.swept = true;
      ps.verified.resize(1, 0);
      ps.access.resize(1, 0);
      for (uint32_t q = p + 1; q < p + ps.run; q++) pages_[q].swept = true;
      sweep_cursor_ = p + ps.run;
    } else {
      give_pages(p, 1);  // unreferenced large head or orphaned continuation page
      sweep_cursor_++;
    }
  }
  return sweep_cursor_ >= npages_;
}

bool Allocator::verified(uint64_t off) const {
  uint32_t p = page_of(off);
  const PageState& ps = pages_[p];
  if (ps.kind == PAGE_SLAB) {
    int idx = chunk_index(p, off);
    return idx >= 0 && !ps.verified.empty() && (ps.verified[idx / 64] >> (idx % 64)) & 1;
  }
  return ps.kind == PAGE_LARGE_HEAD && !ps.verified.empty() && ps.verified[0];
}

void Allocator::set_verified(uint64_t off) {
  uint32_t p = page_of(off);
  PageState& ps = vectors(p);
  if (ps.kind == PAGE_SLAB) {
    int idx = chunk_index(p, off);
    if (idx >= 0) ps.verified[idx / 64] |= 1ull << (idx % 64);
  } else if (ps.kind == PAGE_LARGE_HEAD) {
    ps.verified.resize(1, 0);
    ps.verified[0] = 1;
  }
}

uint16_t Allocator::access(uint64_t off) const {
  const PageState& ps = pages_[page_of(off)];
  if (ps.kind == PAGE_SLAB) {
    int idx = chunk_index(page_of(off), off);
    return idx >= 0 && !ps.access.empty() ? ps.access[idx] : 0;
  }
  return ps.access.empty() ? 0 : ps.access[0];
}

void Allocator::set_access(uint64_t off, uint16_t v) {
  PageState& ps = vectors(page_of(off));
  if (ps.kind == PAGE_SLAB) {
    int idx = chunk_index(page_of(off), off);
    if (idx >= 0) ps.access[idx] = v;
  } else if (ps.kind == PAGE_LARGE_HEAD) {
    ps.access.resize(1, 0);
    ps.access[0] = v;
  }
}

std::vector<ClassStats> Allocator::class_stats() const {
  std::vector<ClassStats> out;
  for (auto& c : classes_) out.push_back({c.size, c.per_page, c.pages, c.used, {}});
  return out;
}

}  // namespace dax
