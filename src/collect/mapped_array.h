// A BPF_F_MMAPABLE array map mapped into our address space: polling reads
// memory instead of making a syscall per entry.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>
#include <utility>

#include "util/expected.h"

namespace syslat::collect {

template <class T>
class MappedArray {
 public:
  MappedArray() = default;
  MappedArray(MappedArray&& o) noexcept { *this = std::move(o); }
  MappedArray& operator=(MappedArray&& o) noexcept {
    std::swap(base_, o.base_);
    std::swap(bytes_, o.bytes_);
    std::swap(count_, o.count_);
    return *this;
  }
  MappedArray(const MappedArray&) = delete;
  MappedArray& operator=(const MappedArray&) = delete;
  ~MappedArray() {
    if (base_) munmap(base_, bytes_);
  }

  static util::Expected<MappedArray> map(int map_fd, size_t count) {
    static_assert(sizeof(T) % 8 == 0, "array map values are laid out at 8-byte strides");
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    MappedArray m;
    m.bytes_ = (sizeof(T) * count + page - 1) / page * page;
    void* p = mmap(nullptr, m.bytes_, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
    if (p == MAP_FAILED) return util::make_error(std::string("cannot mmap a BPF map: ") + std::strerror(errno));
    m.base_ = p;
    m.count_ = count;
    return m;
  }

  T& operator[](size_t i) { return static_cast<T*>(base_)[i]; }
  size_t size() const { return count_; }

 private:
  void* base_ = nullptr;
  size_t bytes_ = 0;
  size_t count_ = 0;
};

}  // namespace syslat::collect
