// Who made the disk: vendor, model and serial number of a block device, for the acquisition
// record and the E01 header.
//
// Read from sysfs first (/sys/dev/block/MAJ:MIN, the whole disk when given a partition:
// device/model, device/vendor, device/serial (NVMe, MMC), serial (virtio), device/vpd_pg80 (the
// SCSI unit serial number page, which SATA disks behind libata also answer)), then from the ATA
// IDENTIFY data (ioctl HDIO_GET_IDENTITY, read-only) when sysfs has no model or serial. Every
// field is "" when it is not available; nothing here fails. Thread-safe (no shared state).
#ifndef EVIDEX_VAULT_DEVICE_INFO_H_
#define EVIDEX_VAULT_DEVICE_INFO_H_

#include <string>

namespace evidex::vault {

struct DeviceInfo {
  bool is_block_device = false;
  std::string name;    // kernel name of the whole disk, e.g. "sda" ("" when unknown)
  std::string vendor;  // as the device reports it ("ATA" and PCI ids like "0x1af4" left out)
  std::string model;
  std::string serial;
};

// For a path naming a block device (or a symbolic link to one); anything else gives
// is_block_device = false and empty fields.
DeviceInfo ReadDeviceInfo(const std::string& path);

// The sysfs part alone, from a sysfs tree at `sysfs_root` (normally "/sys"), for the device
// numbers major:minor. For tests (a fake tree) and for ReadDeviceInfo.
DeviceInfo ReadDeviceInfoFromSysfs(const std::string& sysfs_root, unsigned major, unsigned minor);

// "model Foo, serial 123" (only the parts known), "" when neither is.
std::string DescribeDevice(const DeviceInfo& info);

}  // namespace evidex::vault

#endif  // EVIDEX_VAULT_DEVICE_INFO_H_
