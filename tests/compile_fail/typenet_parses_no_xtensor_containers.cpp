// Not a misfit but a guard on what every misfit waits for: typenet/typenet.hpp must not parse
// xtensor's containers (about 70 MB of the compiler's memory, 30% of its cost; Model declares the
// xt::xtensor predict returns, typenet/detail/float_xtensor.hpp). Like fits.cpp, it must compile.
#include <typenet/typenet.hpp>
#if defined(XTENSOR_CONTAINER_HPP) || defined(XTENSOR_FORWARD_HPP)
#error "typenet/typenet.hpp includes xtensor's containers: name them through typenet/detail/float_xtensor.hpp"
#endif
