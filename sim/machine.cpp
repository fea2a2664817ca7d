#include "sim/machine.hpp"

#include <cstdint>
#include <system_error>
#include <thread>
#include <unistd.h>

namespace outrigger::sim {

std::string machine_resources(const std::filesystem::path& work_dir) {
  constexpr double mib = 1024.0 * 1024.0;
  constexpr double gib = 1024.0 * mib;
  auto cpus = std::max(1u, std::thread::hardware_concurrency());
  double memory = static_cast<double>(sysconf(_SC_PHYS_PAGES)) *
                  static_cast<double>(sysconf(_SC_PAGE_SIZE));
  memory = memory >= 2 * gib ? memory - gib : memory / 2;
  auto where = work_dir.empty() ? std::filesystem::temp_directory_path()
                                : std::filesystem::absolute(work_dir);
  while (!std::filesystem::exists(where) && where.has_parent_path() &&
         where != where.parent_path())
    where = where.parent_path();
  std::error_code ec;
  auto space = std::filesystem::space(where, ec);
  double disk = ec ? 10 * gib : static_cast<double>(space.capacity);
  disk = disk >= 10 * gib ? disk - 5 * gib : disk / 2;
  return "cpus:" + std::to_string(cpus) +
         ";mem:" + std::to_string(static_cast<std::int64_t>(memory / mib)) +
         ";disk:" + std::to_string(static_cast<std::int64_t>(disk / mib)) +
         ";ports:[31000-32000]";
}

} // namespace outrigger::sim
