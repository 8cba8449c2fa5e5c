# Writes the route table of the HTTP fuzz target: every `router.add(<method>, "<pattern>"` found in
# the route files of src/api, as `{Method::x, "pattern"},` lines. A route added with a method
# variable (the /proxy loop) is listed for every method. Generated, so a new route is fuzzed
# without anyone remembering to add it here.
# Usage: cmake -DAPI_DIR=<src/api> -DOUTPUT=<file> -P route_table.cmake

file(GLOB_RECURSE sources ${API_DIR}/*.cpp)
list(SORT sources)
set(methods get head post put patch del options)
set(lines "")
foreach(source IN LISTS sources)
  file(STRINGS ${source} adds REGEX "router\\.add\\([^,]+, *\"[^\"]+\"")
  foreach(add IN LISTS adds)
    string(REGEX MATCH "router\\.add\\(([^,]+), *\"([^\"]+)\"" _ "${add}")
    set(method_text "${CMAKE_MATCH_1}")
    set(pattern "${CMAKE_MATCH_2}")
    if(method_text MATCHES "Method::([a-z]+)$")
      string(APPEND lines "{keyrelay::http::Method::${CMAKE_MATCH_1}, \"${pattern}\"},\n")
    else()
      foreach(m IN LISTS methods)
        string(APPEND lines "{keyrelay::http::Method::${m}, \"${pattern}\"},\n")
      endforeach()
    endif()
  endforeach()
endforeach()
file(WRITE ${OUTPUT}.tmp "${lines}")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUTPUT}.tmp)
