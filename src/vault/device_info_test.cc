// Device model and serial: a fake sysfs tree for the parsing (partition → disk, padded strings,
// the SCSI serial-number page, virtio's serial), a regular file, and a real loop device.
#include "vault/device_info.h"

#include <sys/stat.h>
#include <unistd.h>

#include "gtest/gtest.h"
#include "vault/vault_test_util.h"

namespace evidex::vault {
namespace {

using testing::TempDir;
using testing::WriteFile;

void MakeDirs(const std::string& path) { std::filesystem::create_directories(path); }

void Link(const std::string& target, const std::string& link) {
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0) << link;
}

TEST(DeviceInfo, RegularFileIsNoDevice) {
  TempDir dir;
  WriteFile(dir / "disk.dd", "bytes");
  DeviceInfo info = ReadDeviceInfo(dir / "disk.dd");
  EXPECT_FALSE(info.is_block_device);
  EXPECT_EQ(info.model, "");
  EXPECT_EQ(info.serial, "");
  EXPECT_EQ(DescribeDevice(info), "");
  EXPECT_FALSE(ReadDeviceInfo(dir / "missing").is_block_device);
  EXPECT_FALSE(ReadDeviceInfo(dir.path()).is_block_device);
}

TEST(DeviceInfo, SataDiskPartitionReadsItsDiskAndTheSerialPage) {
  TempDir sys;
  std::string disk = sys / "devices/pci0000:00/ata1/host0/target0:0:0/0:0:0:0/block/sda";
  MakeDirs(disk + "/sda1");
  MakeDirs(sys / "dev/block");
  WriteFile(disk + "/sda1/partition", "1\n");
  MakeDirs(disk + "/device");
  WriteFile(disk + "/device/model", "Samsung SSD 860  \n");
  WriteFile(disk + "/device/vendor", "ATA     \n");
  // VPD page 0x80: device type, page code, length (2 bytes), then the serial, space padded.
  WriteFile(disk + "/device/vpd_pg80", std::string("\x00\x80\x00\x10", 4) + "  S3Z9NB0K123456");
  Link("../../devices/pci0000:00/ata1/host0/target0:0:0/0:0:0:0/block/sda/sda1",
       sys / "dev/block/8:1");
  DeviceInfo info = ReadDeviceInfoFromSysfs(sys.path(), 8, 1);
  EXPECT_TRUE(info.is_block_device);
  EXPECT_EQ(info.name, "sda");
  EXPECT_EQ(info.vendor, "");  // "ATA" says nothing about the maker
  EXPECT_EQ(info.model, "Samsung SSD 860");
  EXPECT_EQ(info.serial, "S3Z9NB0K123456");
  EXPECT_EQ(DescribeDevice(info), "model Samsung SSD 860, serial S3Z9NB0K123456");
}

TEST(DeviceInfo, NvmeAndVirtioSerials) {
  TempDir sys;
  MakeDirs(sys / "dev/block");
  std::string nvme = sys / "devices/pci/nvme/nvme0/nvme0n1";
  MakeDirs(nvme + "/device");
  WriteFile(nvme + "/device/model", "WDC PC SN730 SDBQNTY-512G-1001\n");
  WriteFile(nvme + "/device/serial", "19434A800123        \n");
  Link("../../devices/pci/nvme/nvme0/nvme0n1", sys / "dev/block/259:0");
  DeviceInfo n = ReadDeviceInfoFromSysfs(sys.path(), 259, 0);
  EXPECT_EQ(n.model, "WDC PC SN730 SDBQNTY-512G-1001");
  EXPECT_EQ(n.serial, "19434A800123");

  std::string vda = sys / "devices/virtio1/block/vda";
  MakeDirs(vda + "/device");
  WriteFile(vda + "/device/vendor", "0x1af4\n");
  WriteFile(vda + "/serial", "evidence-disk-7\n");
  Link("../../devices/virtio1/block/vda", sys / "dev/block/254:0");
  DeviceInfo v = ReadDeviceInfoFromSysfs(sys.path(), 254, 0);
  EXPECT_EQ(v.name, "vda");
  EXPECT_EQ(v.vendor, "");  // a PCI id
  EXPECT_EQ(v.model, "");
  EXPECT_EQ(v.serial, "evidence-disk-7");
  EXPECT_EQ(DescribeDevice(v), "serial evidence-disk-7");

  DeviceInfo none = ReadDeviceInfoFromSysfs(sys.path(), 1, 2);  // no such device
  EXPECT_TRUE(none.is_block_device);
  EXPECT_EQ(none.name, "");
  EXPECT_EQ(none.serial, "");
}

TEST(DeviceInfo, LoopDevice) {
  TempDir dir;
  WriteFile(dir / "img", std::string(1 << 20, 'x'));
  testing::LoopDevice loop(dir / "img");
  if (!loop.attached()) GTEST_SKIP() << "no loop device: " << loop.why();
  DeviceInfo info = ReadDeviceInfo(loop.device());
  EXPECT_TRUE(info.is_block_device);
  EXPECT_EQ("/dev/" + info.name, loop.device());
  EXPECT_EQ(info.model, "");  // a loop device has no maker; nothing is made up
  EXPECT_EQ(info.serial, "");
}

}  // namespace
}  // namespace evidex::vault
