// Device vendor, model and serial from sysfs or ATA IDENTIFY (see device_info.h).
#include "vault/device_info.h"

#include <fcntl.h>
#include <linux/hdreg.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <fstream>
#include <iterator>

namespace evidex::vault {
namespace {

// Printable ASCII only, runs of blanks folded, trimmed: sysfs and IDENTIFY strings are
// space-padded and sometimes NUL-padded.
std::string Clean(const std::string& raw) {
  std::string out;
  bool blank = false;
  for (unsigned char c : raw) {
    if (c > ' ' && c < 0x7f) {
      if (blank && !out.empty()) out += ' ';
      out += static_cast<char>(c);
      blank = false;
    } else {
      blank = true;
    }
  }
  return out;
}

std::string ReadSmallFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return "";
  std::string s;
  s.resize(4096);
  f.read(s.data(), static_cast<std::streamsize>(s.size()));
  s.resize(static_cast<size_t>(f.gcount()));
  return s;
}

// The SCSI Unit Serial Number VPD page (0x80): 4-byte header (byte 3 = length), then ASCII.
std::string SerialFromVpd80(const std::string& page) {
  if (page.size() < 4 || static_cast<unsigned char>(page[1]) != 0x80) return "";
  size_t len = static_cast<unsigned char>(page[3]);
  return Clean(page.substr(4, len));
}

bool LooksLikePciId(const std::string& s) { return s.size() > 2 && s[0] == '0' && s[1] == 'x'; }

std::string Parent(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

DeviceInfo ReadDeviceInfoFromSysfs(const std::string& sysfs_root, unsigned major, unsigned minor) {
  DeviceInfo info;
  info.is_block_device = true;
  std::string link =
      sysfs_root + "/dev/block/" + std::to_string(major) + ":" + std::to_string(minor);
  char resolved[PATH_MAX];
  if (::realpath(link.c_str(), resolved) == nullptr) return info;
  std::string disk = resolved;
  if (Exists(disk + "/partition")) disk = Parent(disk);  // a partition: its disk holds the data
  size_t slash = disk.rfind('/');
  info.name = slash == std::string::npos ? disk : disk.substr(slash + 1);

  info.model = Clean(ReadSmallFile(disk + "/device/model"));
  if (info.model.empty()) info.model = Clean(ReadSmallFile(disk + "/device/name"));  // MMC/SD
  std::string vendor = Clean(ReadSmallFile(disk + "/device/vendor"));
  if (vendor != "ATA" && !LooksLikePciId(vendor)) info.vendor = vendor;

  // Serial number, most specific first.
  for (const char* file : {"/device/serial", "/serial"}) {
    info.serial = Clean(ReadSmallFile(disk + file));
    if (!info.serial.empty()) break;
  }
  if (info.serial.empty()) info.serial = SerialFromVpd80(ReadSmallFile(disk + "/device/vpd_pg80"));
  return info;
}

DeviceInfo ReadDeviceInfo(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISBLK(st.st_mode)) return DeviceInfo{};
  DeviceInfo info = ReadDeviceInfoFromSysfs("/sys", major(st.st_rdev), minor(st.st_rdev));
  if (!info.model.empty() && !info.serial.empty()) return info;
  // ATA IDENTIFY through the kernel's cached copy: read-only, answered by libata disks.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return info;
  struct hd_driveid id;
  if (::ioctl(fd, HDIO_GET_IDENTITY, &id) == 0) {
    if (info.model.empty()) {
      info.model = Clean(std::string(reinterpret_cast<const char*>(id.model), sizeof(id.model)));
    }
    if (info.serial.empty()) {
      info.serial =
          Clean(std::string(reinterpret_cast<const char*>(id.serial_no), sizeof(id.serial_no)));
    }
  }
  ::close(fd);
  return info;
}

std::string DescribeDevice(const DeviceInfo& info) {
  std::string out;
  std::string model = info.vendor.empty() ? info.model : info.vendor + " " + info.model;
  if (info.model.empty()) model = info.vendor;
  if (!model.empty()) out = "model " + model;
  if (!info.serial.empty()) out += (out.empty() ? "" : ", ") + std::string("serial ") + info.serial;
  return out;
}

}  // namespace evidex::vault
