#include <iostream>

#include <boost/json/serialize.hpp>
#include <boost/json/object.hpp>

#include "cli/allocator.h"
#include "cli/commands.h"

namespace keyrelay::cli {

int run_version(const GlobalOptions& global) {
  if (global.json) {
    std::cout << boost::json::serialize(boost::json::object{
                                        {"name", "keyrelay"}, {"version", KEYRELAY_VERSION}, {"allocator", allocator_name()}})
              << "\n";
  } else {
    std::cout << "keyrelay " << KEYRELAY_VERSION << " (" << allocator_name() << ")\n";
  }
  return 0;
}

}  // namespace keyrelay::cli
