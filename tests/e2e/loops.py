"""Loop devices and mounts a test creates, and removes again even when it fails."""

import os
import subprocess
import tempfile


def run(*command, check=True, input=None):
    result = subprocess.run(command, capture_output=True, text=input is None or isinstance(input, str), input=input)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}): {result.stderr}")
    return result


class LoopDevice:
    def __init__(self, path, backing, size):
        self.path = path
        self.backing = backing
        self.size = size
        self.fstype = None
        self.label = None

    @property
    def name(self):
        return os.path.basename(self.path)

    def __repr__(self):
        return f"LoopDevice({self.path}, {self.fstype})"

    def read(self, length=None):
        with open(self.path, "rb") as device:
            return device.read(self.size if length is None else length)

    def sha256(self, length=None):
        import hashlib

        digest = hashlib.sha256()
        remaining = self.size if length is None else length
        with open(self.path, "rb") as device:
            while remaining > 0:
                block = device.read(min(remaining, 1 << 20))
                if not block:
                    break
                digest.update(block)
                remaining -= len(block)
        return digest.hexdigest()


class Loops:
    """Attaches loop devices over sparse files and tracks exactly what it attached and mounted."""

    def __init__(self):
        self.directory = tempfile.mkdtemp(prefix="apart-e2e-loops-")
        self.devices = []
        self.mounts = []

    def attach(self, size_mib, fill=None):
        backing = os.path.join(self.directory, f"disk{len(self.devices)}.img")
        with open(backing, "wb") as f:
            if fill is not None:
                f.write(fill)
            f.truncate(size_mib << 20)
        path = run("losetup", "--find", "--show", backing).stdout.strip()
        device = LoopDevice(path, backing, size_mib << 20)
        self.devices.append(device)
        return device

    def attach_range(self, device, offset, size, read_only=False):
        """A loop device over `size` bytes of another from `offset`: how a test reaches a partition
        where the kernel shows no node for it (losetup -o OFFSET --sizelimit SIZE)."""
        args = ["losetup", "--find", "--show", "-o", str(offset), "--sizelimit", str(size)]
        if read_only:
            args.append("-r")
        path = run(*args, device.path).stdout.strip()
        mapped = LoopDevice(path, device.path, size)
        self.devices.append(mapped)
        return mapped

    def detach(self, device):
        """Detaches one device now (for tests that pull a device away)."""
        run("losetup", "-d", device.path, check=False)
        if device in self.devices:
            self.devices.remove(device)

    def mount(self, device, command=None, options=None):
        mountpoint = tempfile.mkdtemp(prefix="mnt-", dir=self.directory)
        command = command or ["mount"]
        args = list(command)
        if options:
            args += ["-o", options]
        run(*args, device.path, mountpoint)
        self.mounts.append(mountpoint)
        return mountpoint

    def umount(self, mountpoint):
        run("umount", mountpoint, check=False)
        if mountpoint in self.mounts:
            self.mounts.remove(mountpoint)
        os.rmdir(mountpoint)

    def cleanup(self):
        for mountpoint in reversed(list(self.mounts)):
            if run("umount", mountpoint, check=False).returncode != 0:
                run("umount", "-l", mountpoint, check=False)
            self.mounts.remove(mountpoint)
        for device in list(self.devices):
            run("losetup", "-d", device.path, check=False)
            self.devices.remove(device)
        subprocess.run(["rm", "-rf", self.directory], check=False)


def can_claim_exclusively(path):
    """Whether nothing holds a block device (the kernel grants O_EXCL only then)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_EXCL)
    except OSError:
        return False
    os.close(fd)
    return True
