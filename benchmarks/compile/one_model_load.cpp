// one_model.cpp that also loads the model it saved: the figure "a program with one model, with load".
#define TYPENET_ONE_MODEL_LOADS 1
#include "one_model.cpp"
