/**
 * Description of the machine a benchmark ran on, for its report.
 */
import { readFileSync, statfsSync } from 'node:fs';
import { availableParallelism, cpus, release, totalmem } from 'node:os';

export interface Machine {
  cpuModel: string;
  /** Logical CPUs this process may use. */
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  kernel: string;
  /** File system type of the directory that contains the benchmark ledger. */
  ledgerFileSystem: string;
}

/** Magic numbers of statfs(2) f_type for the file systems a ledger is likely to sit on. */
const FILE_SYSTEM_NAMES = new Map<number, string>([
  [0xef53, 'ext4'],
  [0x58465342, 'xfs'],
  [0x9123683e, 'btrfs'],
  [0x01021994, 'tmpfs'],
  [0x794c7630, 'overlayfs'],
  [0x65735546, 'fuse'],
  [0x6969, 'nfs'],
  [0x2fc12fc1, 'zfs'],
]);

export function describeMachine(ledgerDirectory: string): Machine {
  return {
    cpuModel: cpuModel(),
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: osName(),
    kernel: `${process.platform} ${release()}`,
    ledgerFileSystem: fileSystemOf(ledgerDirectory),
  };
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) {
      return match[1]!.trim();
    }
  } catch {
    // Not Linux: fall back to what libuv reports.
  }
  return cpus()[0]?.model ?? 'unknown';
}

function osName(): string {
  try {
    const match = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (match) {
      return match[1]!;
    }
  } catch {
    // No os-release file: the platform name has to do.
  }
  return process.platform;
}

function fileSystemOf(directory: string): string {
  try {
    const type = Number(statfsSync(directory).type);
    return FILE_SYSTEM_NAMES.get(type) ?? `statfs type 0x${type.toString(16)}`;
  } catch {
    return 'unknown';
  }
}
