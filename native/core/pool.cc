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

PoolHeaderStatic plan_layout(uint64_t size) {
  PoolHeaderStatic h{};
  memcpy(h.magic, POOL_MAGIC, 8);
  h.version = LAYOUT_VERSION;
  h.header_size = HEADER_SIZE;
  h.pool_size = size;
  h.slab_page_size = SLAB_PAGE_SIZE;
  // Intent log: big enough for a multi-key write of ~size/8 KiB keys, 1..64 MiB.
  h.log_off = HEADER_SIZE;
  h.log_size = align_up(std::min<uint64_t>(64ull << 20, std::max<uint64_t>(1ull << 20, size / 64)), 4096);
  // Index sized from the pool at creation: one bucket (7 slots) per KiB of pool, power of two.
  uint64_t b = 64;
  while (b * 2 <= size / 1024) b *= 2;
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

PoolHeaderStatic Pool::read_header(int fd, const std::string& path) {
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
  memcpy(&h, buf, sizeof(h));
  if (memcmp(h.magic, POOL_MAGIC, 8) != 0)
    throw PoolError(PoolErr::NotPool, path + ": not a daxcache pool (bad magic); refusing to touch it");
  uint32_t crc;
  memcpy(&crc, buf + HDR_CRC_OFF, 4);
  if (crc32c(0, &h, sizeof(h)) != crc)
    throw PoolError(PoolErr::Checksum, path + ": pool header checksum mismatch: the header is damaged; refusing to open (run `daxcache check`)");
  if (h.version != LAYOUT_VERSION)
    throw PoolError(PoolErr::Version, path + ": pool layout version " + std::to_string(h.version) +
                                          " is not supported by this build (it reads version " +
                                          std::to_string(LAYOUT_VERSION) + ")");
  // The regions must agree with what this build would lay out for that size.
  PoolHeaderStatic want = plan_layout(h.pool_size);
  if (h.header_size != HEADER_SIZE || h.log_off != want.log_off || h.log_size != want.log_size ||
      h.pagetab_off != want.pagetab_off || h.index_off != want.index_off || h.index_buckets != want.index_buckets ||
      h.slab_off != want.slab_off || h.npages != want.npages || h.slab_page_size != SLAB_PAGE_SIZE ||
      h.nclasses != want.nclasses || memcmp(h.class_size, want.class_size, sizeof(h.class_size)) != 0)
    throw PoolError(PoolErr::Invalid, path + ": pool header describes an inconsistent layout; refusing to open");
  if (uint64_t(st.st_size) < h.pool_size)
    throw PoolError(PoolErr::Truncated, path + ": pool file is truncated (" + std::to_string(st.st_size) +
                                            " bytes, header says " + std::to_string(h.pool_size) + ")");
  return h;
}

Pool::Pool(const std::string& path, const PoolOptions& opt) : mode_(opt.mode) {
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
    hs_ = read_header(fd_, path);
    map(path, opt.sim);
  } catch (...) {
    if (map_) pmem2_map_delete(&map_);
    if (src_) pmem2_source_delete(&src_);
    close(fd_);
    throw;
  }
}

void Pool::create_file(const std::string& path, uint64_t size, const PoolOptions& opt) {
  // Whole 2 MiB units: the mapping length must be page-aligned, and DAX can then use huge pages.
  size = align_up(size, 2ull << 20);
  if (size < MIN_POOL_SIZE)
    throw PoolError(PoolErr::Invalid, "pool size " + std::to_string(size) + " is too small (minimum 16mb)");
  PoolHeaderStatic h = plan_layout(size);
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
  uint32_t crc = crc32c(0, &h, sizeof(h));
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

void Pool::map(const std::string& path, const SimOptions& sim) {
  struct statfs fs;
  dram_backed_ = fstatfs(fd_, &fs) == 0 && (fs.f_type == TMPFS_MAGIC || fs.f_type == RAMFS_MAGIC);
  int r = pmem2_source_from_fd(&src_, fd_);
  if (r) throw PoolError(PoolErr::Io, path + ": " + pmem2_errormsg());
  pmem2_config* cfg = nullptr;
  pmem2_config_new(&cfg);
  pmem2_config_set_required_store_granularity(cfg, PMEM2_GRANULARITY_PAGE);
  pmem2_config_set_length(cfg, hs_.pool_size);
  bool priv = mode_ != MapMode::Shared;
  pmem2_config_set_sharing(cfg, priv ? PMEM2_PRIVATE : PMEM2_SHARED);
  if (mode_ == MapMode::Private) pmem2_config_set_protection(cfg, PMEM2_PROT_READ | PMEM2_PROT_WRITE);
  r = pmem2_map_new(&map_, cfg, src_);
  pmem2_config_delete(&cfg);
  if (r) throw PoolError(PoolErr::Io, path + ": cannot map pool: " + pmem2_errormsg());
  base_ = static_cast<uint8_t*>(pmem2_map_get_address(map_));
  switch (mode_) {
    case MapMode::Shared: persist_.reset(new Pmem2Persist(map_)); break;
    case MapMode::Private: persist_.reset(new SimPersist(base_, hs_.pool_size, -1, Granularity::Page)); break;
    case MapMode::SimCacheLine: persist_.reset(new SimPersist(base_, hs_.pool_size, fd_, Granularity::CacheLine, sim)); break;
    case MapMode::SimPage: persist_.reset(new SimPersist(base_, hs_.pool_size, fd_, Granularity::Page, sim)); break;
  }
  if (mode_ == MapMode::SimCacheLine || mode_ == MapMode::SimPage) fault_ = sim.fault;
}

void Pool::persist_word(uint64_t* w, uint64_t v) {
  __atomic_store_n(w, v, __ATOMIC_RELEASE);
  if (mode_ == MapMode::Private) return;
  persist_->flush(w, 8);
  persist_->drain();
}

Pool::~Pool() {
  if (map_) pmem2_map_delete(&map_);
  if (src_) pmem2_source_delete(&src_);
  if (fd_ >= 0) close(fd_);
}

}  // namespace dax
