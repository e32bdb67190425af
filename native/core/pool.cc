#include "pool.h"

#include <linux/magic.h>
#include <sys/vfs.h>

#include <fcntl.h>
#include <libpmem2.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <random>

#include "crc32c.h"

namespace dax {

const char* pool_err_code(PoolErr e) {
  switch (e) {
    case PoolErr::Io: return "EPOOLIO";
    case PoolErr::NotPool: return "EPOOLMAGIC";
    case PoolErr::Version: return "EPOOLVERSION";
    case PoolErr::Checksum: return "EPOOLCHECKSUM";
    case PoolErr::Truncated: return "EPOOLTRUNCATED";
    case PoolErr::Invalid: return "EPOOLINVALID";
    case PoolErr::Exists: return "EPOOLEXISTS";
    case PoolErr::Busy: return "EPOOLBUSY";
  }
  return "EPOOL";
}

static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }
static uint64_t now_ms() {
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  return uint64_t(tv.tv_sec) * 1000 + tv.tv_usec / 1000;
}
static std::string sys_err(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + strerror(errno);
}

PoolHeaderStatic plan_layout(uint64_t size, uint64_t index_buckets) {
  PoolHeaderStatic h{};
  memcpy(h.magic, POOL_MAGIC, 8);
  h.version = LAYOUT_VERSION_UNGROWN;
  h.header_size = HEADER_SIZE;
  h.pool_size = size;
  h.slab_page_size = SLAB_PAGE_SIZE;
  // Intent log: big enough for a multi-key write of ~size/8 KiB keys, 1..64 MiB.
  h.log_off = HEADER_SIZE;
  h.log_size = align_up(std::min<uint64_t>(64ull << 20, std::max<uint64_t>(1ull << 20, size / 64)), 4096);
  // Index sized from the pool at creation: one bucket (7 slots) per KiB of pool, power of two.
  uint64_t b = 64;
  while (b * 2 <= size / 1024) b *= 2;
  // A smaller index on request (a power of two from 64): it grows by splitting as keys come.
  if (index_buckets >= 64 && index_buckets < b && (index_buckets & (index_buckets - 1)) == 0) b = index_buckets;
  h.index_buckets = b;
  uint64_t max_pages = size / SLAB_PAGE_SIZE;
  h.pagetab_off = h.log_off + h.log_size;
  h.index_off = align_up(h.pagetab_off + max_pages * 8, 4096);
  h.slab_off = align_up(h.index_off + b * sizeof(Bucket), SLAB_PAGE_SIZE);
  h.npages = size > h.slab_off ? (size - h.slab_off) / SLAB_PAGE_SIZE : 0;
  // Size classes: 64 B, then x1.25 rounded up to 8 bytes, up to one page.
  uint32_t n = 0;
  double sz = MIN_CHUNK;
  while (n < MAX_CLASSES - 1) {
    uint64_t s = align_up(uint64_t(sz), 8);
    if (s >= SLAB_PAGE_SIZE / 2) break;
    if (n == 0 || s > h.class_size[n - 1]) h.class_size[n++] = uint32_t(s);
    sz = sz * GROWTH_X100 / 100.0;
  }
  h.class_size[n++] = uint32_t(SLAB_PAGE_SIZE / 2);
  h.nclasses = n;
  h.growth_x100 = GROWTH_X100;
  return h;
}

uint64_t extension_pages(uint64_t new_size) {
  uint64_t reach = std::max<uint64_t>(16 * new_size, 128ull << 30);
  return (reach / SLAB_PAGE_SIZE + ENTRIES_PER_PAGE - 1) / ENTRIES_PER_PAGE;
}

// Version 2 with nothing else changed: what a first index split writes (the regions, size and page
// table stay as created; ext_pages 0 until a growth).
static PoolHeaderStatic as_v2(const PoolHeaderStatic& h) {
  if (h.version == LAYOUT_VERSION) return h;
  PoolHeaderStatic g = h;
  g.version = LAYOUT_VERSION;
  g.created_size = h.pool_size;
  g.npages0 = h.npages;
  g.ext_off = g.ext_pages = g.ext_entries = g.growths = 0;
  return g;
}

PoolHeaderStatic plan_growth(const PoolHeaderStatic& h, uint64_t new_size) {
  PoolHeaderStatic g = as_v2(h);
  if (!has_extension(g)) {
    g.ext_off = g.slab_off + g.npages0 * SLAB_PAGE_SIZE;
    g.ext_pages = extension_pages(new_size);
    g.ext_entries = g.ext_pages * ENTRIES_PER_PAGE;
  }
  g.pool_size = new_size;
  g.npages = (new_size - g.slab_off) / SLAB_PAGE_SIZE;
  g.growths++;
  return g;
}

// A static header image (at `img`, its CRC at `crc_at`) that is whole: magic, and a CRC over the
// length its version says. Versions this build does not know count as whole when the CRC holds
// over either length, so that they are refused for their version, not as damage.
static bool header_whole(const uint8_t* img, const uint8_t* crc_at, PoolHeaderStatic* out) {
  memcpy(out, img, sizeof(*out));
  if (memcmp(out->magic, POOL_MAGIC, 8) != 0) return false;
  uint32_t crc;
  memcpy(&crc, crc_at, 4);
  bool v1 = crc32c(0, out, HDR_V1_SIZE) == crc, v2 = crc32c(0, out, sizeof(*out)) == crc;
  if (out->version == LAYOUT_VERSION_UNGROWN) {
    // A version 1 header's bytes past its CRC'd part are not part of it: read them as zero.
    memset(reinterpret_cast<uint8_t*>(out) + HDR_V1_SIZE, 0, sizeof(*out) - HDR_V1_SIZE);
    return v1;
  }
  if (out->version == LAYOUT_VERSION) return v2;
  return v1 || v2;
}

PoolHeaderStatic Pool::read_header(int fd, const std::string& path, bool* from_copy) {
  struct stat st;
  if (fstat(fd, &st) != 0) throw PoolError(PoolErr::Io, sys_err("cannot stat", path));
  PoolHeaderStatic h{};
  if (uint64_t(st.st_size) < HEADER_SIZE) {
    char m[8] = {0};
    if (st.st_size >= 8 && pread(fd, m, 8, 0) == 8 && memcmp(m, POOL_MAGIC, 8) == 0)
      throw PoolError(PoolErr::Truncated, path + ": pool file is truncated (" + std::to_string(st.st_size) +
                                              " bytes, shorter than its header)");
    throw PoolError(PoolErr::NotPool, path + ": not a daxcache pool (file too small, no daxcache header)");
  }
  uint8_t buf[HEADER_SIZE];
  if (pread(fd, buf, HEADER_SIZE, 0) != ssize_t(HEADER_SIZE)) throw PoolError(PoolErr::Io, sys_err("cannot read", path));
  if (from_copy) *from_copy = false;
  if (!header_whole(buf, buf + HDR_CRC_OFF, &h)) {
    // A crash while a growth rewrote the primary leaves the copy whole (it was persisted first).
    PoolHeaderStatic c{};
    if (header_whole(buf + HDR_COPY_OFF, buf + HDR_COPY_CRC_OFF, &c) && c.version == LAYOUT_VERSION) {
      h = c;
      if (from_copy) *from_copy = true;
    } else if (memcmp(h.magic, POOL_MAGIC, 8) != 0) {
      throw PoolError(PoolErr::NotPool, path + ": not a daxcache pool (bad magic); refusing to touch it");
    } else {
      throw PoolError(PoolErr::Checksum, path + ": pool header checksum mismatch: the header is damaged; refusing to open (run `daxcache check`)");
    }
  }
  if (h.version != LAYOUT_VERSION && h.version != LAYOUT_VERSION_UNGROWN)
    throw PoolError(PoolErr::Version, path + ": pool layout version " + std::to_string(h.version) +
                                          " is not supported by this build (it reads versions " +
                                          std::to_string(LAYOUT_VERSION_UNGROWN) + " and " +
                                          std::to_string(LAYOUT_VERSION) + ")");
  // The regions must agree with what this build would lay out for the size the pool was created
  // with (and, grown, with where its first growth put the extension).
  bool grown = h.version == LAYOUT_VERSION;
  PoolHeaderStatic want = plan_layout(grown ? h.created_size : h.pool_size, h.index_buckets);
  bool ok = h.header_size == HEADER_SIZE && h.log_off == want.log_off && h.log_size == want.log_size &&
            h.pagetab_off == want.pagetab_off && h.index_off == want.index_off &&
            h.index_buckets == want.index_buckets && h.slab_off == want.slab_off &&
            h.slab_page_size == SLAB_PAGE_SIZE && h.nclasses == want.nclasses &&
            memcmp(h.class_size, want.class_size, sizeof(h.class_size)) == 0;
  if (ok && !grown) ok = h.npages == want.npages;
  if (ok && grown)
    ok = h.created_size % (2ull << 20) == 0 && h.npages0 == want.npages && h.pool_size % (2ull << 20) == 0 &&
         h.npages == (h.pool_size - h.slab_off) / SLAB_PAGE_SIZE;
  if (ok && grown && h.ext_pages == 0)  // version 2 for an index split only: not grown
    ok = h.pool_size == h.created_size && h.ext_off == 0 && h.ext_entries == 0 && h.growths == 0;
  else if (ok && grown)
    ok = h.ext_off == h.slab_off + h.npages0 * SLAB_PAGE_SIZE && h.ext_entries == h.ext_pages * ENTRIES_PER_PAGE &&
         h.pool_size > h.created_size && h.npages >= h.npages0 + h.ext_pages && h.npages - h.npages0 <= h.ext_entries &&
         h.growths >= 1;
  if (!ok) throw PoolError(PoolErr::Invalid, path + ": pool header describes an inconsistent layout; refusing to open");
  if (uint64_t(st.st_size) < h.pool_size)
    throw PoolError(PoolErr::Truncated, path + ": pool file is truncated (" + std::to_string(st.st_size) +
                                            " bytes, header says " + std::to_string(h.pool_size) + ")");
  return h;
}

Pool::Pool(const std::string& path, const PoolOptions& opt) : path_(path), mode_(opt.mode) {
  int flags = mode_ == MapMode::Private ? O_RDONLY : O_RDWR;
  fd_ = open(path.c_str(), flags);
  if (fd_ < 0 && errno == ENOENT && opt.create_size > 0) {
    create_file(path, opt.create_size, opt);
    created_ = true;
  } else if (fd_ < 0) {
    throw PoolError(PoolErr::Io, sys_err("cannot open pool", path));
  }
  try {
    // One server per pool: two writers would corrupt it. The lock dies with the process (kill -9).
    if (mode_ != MapMode::Private && flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK) throw PoolError(PoolErr::Busy, path + ": pool is in use by another daxcache process");
      throw PoolError(PoolErr::Io, sys_err("cannot lock pool", path));
    }
    bool from_copy = false;
    hs_ = read_header(fd_, path, &from_copy);
    if (from_copy && mode_ != MapMode::Private) repair_primary(path);
    map(path, opt.sim, opt.reserve_size);
  } catch (...) {
    persist_.reset();
    for (auto it = maps_.rbegin(); it != maps_.rend(); ++it) pmem2_map_delete(&*it);
    if (rsv_) pmem2_vm_reservation_delete(&rsv_);
    if (src_) pmem2_source_delete(&src_);
    close(fd_);
    throw;
  }
}

// Writes the (whole) copy over a torn primary, before the pool is mapped.
void Pool::repair_primary(const std::string& path) {
  uint8_t buf[HDR_DYN_OFF] = {0};
  memcpy(buf, &hs_, sizeof(hs_));
  uint32_t crc = crc32c(0, &hs_, sizeof(hs_));
  memcpy(buf + HDR_CRC_OFF, &crc, 4);
  if (pwrite(fd_, buf, sizeof(buf), 0) != ssize_t(sizeof(buf)) || fdatasync(fd_) != 0)
    throw PoolError(PoolErr::Io, sys_err("cannot repair the header of", path));
}

void Pool::create_file(const std::string& path, uint64_t size, const PoolOptions& opt) {
  // Whole 2 MiB units: the mapping length must be page-aligned, and DAX can then use huge pages.
  size = align_up(size, 2ull << 20);
  if (size < MIN_POOL_SIZE)
    throw PoolError(PoolErr::Invalid, "pool size " + std::to_string(size) + " is too small (minimum 16mb)");
  PoolHeaderStatic h = plan_layout(size, opt.index_buckets);
  if (h.npages < 4) throw PoolError(PoolErr::Invalid, "pool size too small for its index and log");
  std::string tmp = path + ".creating";
  int fd = open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw PoolError(PoolErr::Io, sys_err("cannot create pool", tmp));
  auto fail = [&](const std::string& m) {
    close(fd);
    unlink(tmp.c_str());
    throw PoolError(PoolErr::Io, m);
  };
  // Sparse file; reserve the blocks where the file system can, so a full disk fails now, not later.
  if (ftruncate(fd, off_t(size)) != 0) fail(sys_err("cannot size pool", tmp));
  int fr = posix_fallocate(fd, 0, off_t(size));
  if (fr != 0 && fr != EOPNOTSUPP && fr != EINVAL) {
    errno = fr;
    fail(sys_err("cannot allocate pool space for", tmp));
  }
  if (opt.prefault) {
    // Touch every page so first writes do not take faults; report progress per 64 MiB.
    std::vector<uint8_t> zero(8ull << 20, 0);
    for (uint64_t off = 0; off < size; off += zero.size()) {
      uint64_t n = std::min<uint64_t>(zero.size(), size - off);
      if (pwrite(fd, zero.data(), n, off_t(off)) != ssize_t(n)) fail(sys_err("cannot prefault", tmp));
      if (opt.progress && ((off + n) % (64ull << 20) == 0 || off + n == size)) opt.progress(off + n, size);
    }
  }
  std::random_device rd;
  for (int i = 0; i < 16; i += 4) {
    uint32_t r = rd();
    memcpy(h.uuid + i, &r, 4);
  }
  h.created_ms = now_ms();
  uint8_t buf[HEADER_SIZE] = {0};
  memcpy(buf, &h, sizeof(h));
  uint32_t crc = crc32c(0, &h, static_crc_len(h.version));
  memcpy(buf + HDR_CRC_OFF, &crc, 4);
  PoolHeaderDynamic d{};
  d.clean_shutdown = 1;
  d.cas_reserved = 1;
  d.flush_epoch = 1;
  memcpy(buf + HDR_DYN_OFF, &d, sizeof(d));
  // Regions are zero already (sparse file). The header goes last, then the rename makes the pool
  // appear atomically: a crash during creation leaves only the .creating file.
  if (pwrite(fd, buf, HEADER_SIZE, 0) != ssize_t(HEADER_SIZE)) fail(sys_err("cannot write header of", tmp));
  if (fsync(fd) != 0) fail(sys_err("cannot sync", tmp));
  if (rename(tmp.c_str(), path.c_str()) != 0) fail(sys_err("cannot rename pool to", path));
  fd_ = fd;
}

// The whole reach of the pool is reserved as address space (PROT_NONE, no memory) so the space
// a growth adds maps right after the old end and no address ever changes.
void Pool::map(const std::string& path, const SimOptions& sim, uint64_t reserve_size) {
  struct statfs fs;
  dram_backed_ = fstatfs(fd_, &fs) == 0 && (fs.f_type == TMPFS_MAGIC || fs.f_type == RAMFS_MAGIC);
  int r = pmem2_source_from_fd(&src_, fd_);
  if (r) throw PoolError(PoolErr::Io, path + ": " + pmem2_errormsg());
  // Address space for growth without a restart: what the caller asked (the server's
  // pool-size-max), else a little headroom. libpmem2 1.12 keeps its alignment slack of a
  // reservation mapped after delete (2 MiB below 2 GiB, 1 GiB above): the small default keeps
  // processes that open thousands of pools (tests, crash images) at 2 MiB each. Past the
  // reservation, grow() tries to extend it in place.
  uint64_t want = reserve_size;
  if (want == 0) want = hs_.pool_size < (1ull << 30) ? (2ull << 30) - (2ull << 20) : 4 * hs_.pool_size;
  if (mode_ == MapMode::Private) want = hs_.pool_size;  // read-only (check/info): never grows
  uint64_t reach = align_up(std::max(std::min(want, page_table_reach()), hs_.pool_size), 2ull << 20);
  r = pmem2_vm_reservation_new(&rsv_, nullptr, reach);
  if (r) throw PoolError(PoolErr::Io, path + ": cannot reserve address space for the pool: " + pmem2_errormsg());
  map_range(0, hs_.pool_size);
  base_ = static_cast<uint8_t*>(pmem2_map_get_address(maps_[0]));
  switch (mode_) {
    case MapMode::Shared: persist_.reset(new Pmem2Persist(maps_[0])); break;
    case MapMode::Private: persist_.reset(new SimPersist(base_, hs_.pool_size, -1, Granularity::Page)); break;
    case MapMode::SimCacheLine: persist_.reset(new SimPersist(base_, hs_.pool_size, fd_, Granularity::CacheLine, sim)); break;
    case MapMode::SimPage: persist_.reset(new SimPersist(base_, hs_.pool_size, fd_, Granularity::Page, sim)); break;
  }
  if (mode_ == MapMode::SimCacheLine || mode_ == MapMode::SimPage) fault_ = sim.fault;
}

// Maps [off, off + len) of the file at the same offset of the reservation.
void Pool::map_range(uint64_t off, uint64_t len) {
  pmem2_config* cfg = nullptr;
  pmem2_config_new(&cfg);
  pmem2_config_set_required_store_granularity(cfg, PMEM2_GRANULARITY_PAGE);
  pmem2_config_set_offset(cfg, off);
  pmem2_config_set_length(cfg, len);
  pmem2_config_set_vm_reservation(cfg, rsv_, off);
  pmem2_config_set_sharing(cfg, mode_ != MapMode::Shared ? PMEM2_PRIVATE : PMEM2_SHARED);
  if (mode_ == MapMode::Private) pmem2_config_set_protection(cfg, PMEM2_PROT_READ | PMEM2_PROT_WRITE);
  pmem2_map* m = nullptr;
  int r = pmem2_map_new(&m, cfg, src_);
  pmem2_config_delete(&cfg);
  if (r) throw PoolError(PoolErr::Io, std::string("cannot map pool: ") + pmem2_errormsg());
  maps_.push_back(m);
}

// The most the page table can describe: the extension's entries once grown, else what a first
// growth's extension would hold.
uint64_t Pool::page_table_reach() const {
  uint64_t entries = has_extension(hs_) ? hs_.npages0 + hs_.ext_entries
                                        : hs_.npages + extension_pages(hs_.pool_size) * ENTRIES_PER_PAGE;
  return hs_.slab_off + entries * SLAB_PAGE_SIZE;
}

uint64_t Pool::max_size() const {
  if (mode_ == MapMode::Private || !rsv_) return hs_.pool_size;
  uint64_t m = std::min<uint64_t>(pmem2_vm_reservation_get_size(rsv_), page_table_reach());
  return m / (2ull << 20) * (2ull << 20);
}

void Pool::grow(uint64_t new_size) {
  new_size = align_up(new_size, 2ull << 20);
  if (mode_ == MapMode::Private) throw PoolError(PoolErr::Invalid, "the pool is open read-only");
  if (new_size <= hs_.pool_size) throw PoolError(PoolErr::Invalid, "the pool cannot shrink or stay the same size");
  if (new_size > page_table_reach() / (2ull << 20) * (2ull << 20))
    throw PoolError(PoolErr::Invalid, "the pool can grow to at most " + std::to_string(page_table_reach()) +
                                          " bytes (its page table's reach)");
  uint64_t reserved = pmem2_vm_reservation_get_size(rsv_);
  if (new_size > reserved && pmem2_vm_reservation_extend(rsv_, new_size - reserved) != 0)
    throw PoolError(PoolErr::Invalid, "the pool can grow to at most " + std::to_string(max_size()) +
                                          " bytes in this process (the address space after it is in use; restart with the larger pool-size, or raise pool-size-max)");
  PoolHeaderStatic g = plan_growth(hs_, new_size);
  if (g.npages < g.npages0 + g.ext_pages + 1)
    throw PoolError(PoolErr::Invalid, "the pool must grow by more than its page-table extension (" +
                                          std::to_string(g.ext_pages) + " MiB)");
  uint64_t old_size = hs_.pool_size;
  // The file first: a full volume fails here, with nothing changed.
  struct stat st;
  if (fstat(fd_, &st) != 0) throw PoolError(PoolErr::Io, sys_err("cannot stat pool", path_));
  if (uint64_t(st.st_size) < new_size && ftruncate(fd_, off_t(new_size)) != 0)
    throw PoolError(PoolErr::Io, sys_err("cannot extend pool", path_));
  if (int fr = allocate(fd_, old_size, new_size)) {
    errno = fr;
    throw PoolError(PoolErr::Io, sys_err("cannot allocate space to grow pool", path_));
  }
  map_range(old_size, new_size - old_size);
  persist_->grow(new_size);
  // Entries of the new pages: zero (free), the extension's own pages PAGE_META. The file beyond the
  // old size may hold what a growth that crashed before its header wrote there: overwrite it.
  uint64_t first = has_extension(hs_) ? hs_.npages : g.npages0;
  for (uint64_t p = first; p < g.npages; p++) {
    uint64_t* e = at<uint64_t>(g.ext_off) + (p - g.npages0);
    *e = p < g.npages0 + g.ext_pages ? page_entry(PAGE_META, 0, 0) : 0;
  }
  persist_->flush(at<uint64_t>(g.ext_off) + (first - g.npages0), (g.npages - first) * 8);
  persist_->drain();
  // The size change itself.
  write_static(g);
}

int Pool::dup_fd() const { return mode_ == MapMode::Private ? -1 : dup(fd_); }

int Pool::allocate(int fd, uint64_t from, uint64_t to) {
  struct stat st;
  if (fstat(fd, &st) != 0) return errno;
  if (uint64_t(st.st_blocks) * 512 >= to) return 0;  // all there (a preallocation ran ahead)
  int fr = posix_fallocate(fd, off_t(from), off_t(to - from));
  return fr == EOPNOTSUPP || fr == EINVAL ? 0 : fr;  // a file system without it: sparse, as created
}

// A new static header: the copy, then the primary, each persistent before the next, so a crash
// leaves one of them whole (read_header takes the copy when the primary is torn).
void Pool::write_static(const PoolHeaderStatic& g) {
  uint32_t crc = crc32c(0, &g, sizeof(g));
  memcpy(base_ + HDR_COPY_OFF, &g, sizeof(g));
  memcpy(base_ + HDR_COPY_CRC_OFF, &crc, 4);
  persist_->flush(base_ + HDR_COPY_OFF, HEADER_SIZE - HDR_COPY_OFF);
  persist_->drain();
  memcpy(base_, &g, sizeof(g));
  memcpy(base_ + HDR_CRC_OFF, &crc, 4);
  persist_->flush(base_, HDR_CRC_OFF + 4);
  persist_->drain();
  hs_ = g;
}

void Pool::upgrade_layout() {
  if (hs_.version == LAYOUT_VERSION || mode_ == MapMode::Private) return;
  write_static(as_v2(hs_));
}

void Pool::persist_word(uint64_t* w, uint64_t v) {
  __atomic_store_n(w, v, __ATOMIC_RELEASE);
  if (mode_ == MapMode::Private) return;
  persist_->flush(w, 8);
  persist_->drain();
}

Pool::~Pool() {
  persist_.reset();
  for (auto it = maps_.rbegin(); it != maps_.rend(); ++it) pmem2_map_delete(&*it);
  if (rsv_) pmem2_vm_reservation_delete(&rsv_);
  if (src_) pmem2_source_delete(&src_);
  if (fd_ >= 0) close(fd_);
}

}  // namespace dax
