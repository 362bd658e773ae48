# install.cmake - the package `cmake --install` lays out around the installed
# targets (libstylegen and the stylegen CLI install themselves, with their
# headers, from sdk/ and tools/cli/):
#
#   lib/cmake/stylegen/   stylegenConfig.cmake (+ Version, Targets, Bake): find_package(stylegen)
#   lib/pkgconfig/        stylegen.pc
#   lib/                  libstylegen_<name>.so backend plugins, next to libstylegen where discovery looks
#   share/stylegen/models the default models and their cards
#
# Included by the top-level CMakeLists.txt after every target is defined.
include(CMakePackageConfigHelpers)

set(STYLEGEN_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/stylegen)
set(STYLEGEN_INSTALL_MODELSDIR ${CMAKE_INSTALL_DATADIR}/stylegen/models)

install(EXPORT stylegenTargets FILE stylegenTargets.cmake NAMESPACE stylegen::
  DESTINATION ${STYLEGEN_INSTALL_CMAKEDIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/stylegenConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/stylegenConfig.cmake
  INSTALL_DESTINATION ${STYLEGEN_INSTALL_CMAKEDIR}
  PATH_VARS STYLEGEN_INSTALL_MODELSDIR)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/stylegenConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES
  ${CMAKE_CURRENT_BINARY_DIR}/stylegenConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/stylegenConfigVersion.cmake
  ${CMAKE_CURRENT_LIST_DIR}/stylegenBake.cmake
  DESTINATION ${STYLEGEN_INSTALL_CMAKEDIR})

# pkg-config: paths relative to the .pc file's own folder, so that the tree
# works wherever `cmake --install --prefix` puts it.
file(RELATIVE_PATH STYLEGEN_PC_PREFIX ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" STYLEGEN_PC_PREFIX "${STYLEGEN_PC_PREFIX}")
file(RELATIVE_PATH STYLEGEN_PC_LIBDIR ${CMAKE_INSTALL_PREFIX} ${CMAKE_INSTALL_FULL_LIBDIR})
file(RELATIVE_PATH STYLEGEN_PC_INCLUDEDIR ${CMAKE_INSTALL_PREFIX} ${CMAKE_INSTALL_FULL_INCLUDEDIR})
file(RELATIVE_PATH STYLEGEN_PC_MODELSDIR ${CMAKE_INSTALL_PREFIX} ${CMAKE_INSTALL_FULL_DATADIR}/stylegen/models)
configure_file(${CMAKE_CURRENT_LIST_DIR}/stylegen.pc.in ${CMAKE_CURRENT_BINARY_DIR}/stylegen.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/stylegen.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(DIRECTORY ${STYLEGEN_MODELS_DIR}/ DESTINATION ${STYLEGEN_INSTALL_MODELSDIR}
  FILES_MATCHING PATTERN "*.sgm" PATTERN "*.md")

# Every shared-object backend (a MODULE library under plugin/, named
# libstylegen_<name>.so) goes next to libstylegen.
function(_stylegen_install_plugins dir)
  get_property(_targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(_target IN LISTS _targets)
    get_target_property(_type ${_target} TYPE)
    if(_type STREQUAL "MODULE_LIBRARY")
      install(TARGETS ${_target} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
    endif()
  endforeach()
  get_property(_subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(_subdir IN LISTS _subdirs)
    _stylegen_install_plugins(${_subdir})
  endforeach()
endfunction()
_stylegen_install_plugins(${PROJECT_SOURCE_DIR}/plugin)
