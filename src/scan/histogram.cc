#include "scan/histogram.h"

#include <algorithm>
#include <functional>

namespace evidex::scan {

void Histogram::Add(std::string_view value, bool utf16) {
  if (slots_.empty() || (entries_.size() + 1) * 2 > slots_.size()) Grow();
  const uint64_t hash = std::hash<std::string_view>{}(value);
  const size_t mask = slots_.size() - 1;
  for (size_t i = size_t(hash) & mask;; i = (i + 1) & mask) {
    uint32_t slot = slots_[i];
    if (slot == 0) {
      entries_.push_back({bytes_.size(), hash, 1, utf16 ? 1u : 0u, uint32_t(value.size())});
      bytes_.append(value);
      slots_[i] = uint32_t(entries_.size());
      return;
    }
    Entry& e = entries_[slot - 1];
    if (e.hash == hash && ValueOf(e) == value) {
      ++e.count;
      if (utf16) ++e.utf16;
      return;
    }
  }
}

void Histogram::Grow() {
  std::vector<uint32_t> slots(std::max<size_t>(64, slots_.size() * 2), 0);
  const size_t mask = slots.size() - 1;
  for (size_t n = 0; n < entries_.size(); ++n) {
    size_t i = size_t(entries_[n].hash) & mask;
    while (slots[i] != 0) i = (i + 1) & mask;
    slots[i] = uint32_t(n + 1);
  }
  slots_.swap(slots);
}

std::vector<Histogram::Row> Histogram::Sorted() const {
  std::vector<Row> rows;
  rows.reserve(entries_.size());
  for (const Entry& e : entries_) rows.push_back({ValueOf(e), e.count, e.utf16});
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    if (a.count != b.count) return a.count > b.count;
    return a.value < b.value;
  });
  return rows;
}

void Histogram::Clear() {
  std::string().swap(bytes_);
  std::vector<Entry>().swap(entries_);
  std::vector<uint32_t>().swap(slots_);
}

}  // namespace evidex::scan
