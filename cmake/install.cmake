# Install rules: the headers, libtypenet and libtypenet_data, and the exported targets
# typenet::typenet, typenet::data, typenet::plot, typenet::mpi and typenet::onnx (libtypenet_onnx;
# those this build has), found by
# find_package(typenet) through typenetConfig.cmake, and by pkg-config through typenet.pc.
# tests/consumer builds a project against a staged install, so these rules are tested on every run
# of the test suite.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(TYPENET_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/typenet)
set(TYPENET_EXPORTED_TARGETS typenet typenet_data)
foreach(optional typenet_plot typenet_mpi typenet_onnx)
  if(TARGET ${optional})
    list(APPEND TYPENET_EXPORTED_TARGETS ${optional})
  endif()
endforeach()
# typenetConfig.cmake looks for PLplot, MPI and ONNX only when the installed build had them.
set(TYPENET_HAS_PLOT OFF)
if(TARGET typenet_plot)
  set(TYPENET_HAS_PLOT ON)
endif()
set(TYPENET_HAS_MPI OFF)
if(TARGET typenet_mpi)
  set(TYPENET_HAS_MPI ON)
endif()
set(TYPENET_HAS_ONNX OFF)
if(TARGET typenet_onnx)
  set(TYPENET_HAS_ONNX ON)
endif()

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/typenet DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS ${TYPENET_EXPORTED_TARGETS} EXPORT typenetTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT typenetTargets NAMESPACE typenet:: DESTINATION ${TYPENET_CMAKE_DIR})

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/typenetConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/typenetConfig.cmake INSTALL_DESTINATION ${TYPENET_CMAKE_DIR})
# 0.x: a minor version may still break; SameMajorVersion is what the 1.0 promise will be.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/typenetConfigVersion.cmake COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/typenetConfig.cmake ${PROJECT_BINARY_DIR}/typenetConfigVersion.cmake
        DESTINATION ${TYPENET_CMAKE_DIR})

# pkg-config: libtypenet, libtypenet_data and what they need (the readers' libzip, zlib, libpng and
# libjpeg, which the static libtypenet_data calls, and stb for the headers that write PNG), as
# typenet::data; PLplot and MPI are left to the user, as in CMake they are separate targets.
# typenet.pc finds the prefix from its own place (pkg-config's ${pcfiledir}), so that the file stays
# right under `cmake --install --prefix` and when the tree is moved.
file(RELATIVE_PATH TYPENET_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
string(REGEX REPLACE "/$" "" TYPENET_PC_TO_PREFIX "${TYPENET_PC_TO_PREFIX}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/typenet.pc.in ${PROJECT_BINARY_DIR}/typenet.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/typenet.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
