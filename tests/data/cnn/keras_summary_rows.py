# Keras 2.11's print_row (keras/utils/layer_utils.py), to produce the expected summary text.
def print_row(fields, positions, out):
    left_to_print = [str(x) for x in fields]
    while any(left_to_print):
        line = ""
        for col in range(len(left_to_print)):
            start_pos = positions[col - 1] if col > 0 else 0
            end_pos = positions[col]
            space = 2 if col != len(positions) - 1 else 0
            cutoff = end_pos - start_pos - space
            fit_into_line = left_to_print[col][:cutoff]
            line_break_conditions = ("),", "},", "],", "',")
            candidate_cutoffs = [fit_into_line.find(x) + len(x) for x in line_break_conditions if fit_into_line.find(x) >= 0]
            if candidate_cutoffs:
                cutoff = min(candidate_cutoffs)
                fit_into_line = fit_into_line[:cutoff]
            if col == 0:
                line += " "
            line += fit_into_line
            line += " " * space if space else ""
            left_to_print[col] = left_to_print[col][cutoff:]
            line += " " * (positions[col] - len(line))
        out.append(line)
out=[]
pos=[29,55,65]
print_row(["Layer (type)","Output Shape","Param #"],pos,out)
for row in [("conv2d (Conv2D)","(None, 6, 6, 4)","40"),("batch_normalization (BatchNormalization)","(None, 6, 6, 4)","16"),("max_pooling2d (MaxPooling2D)","(None, 3, 3, 4)","0"),("global_average_pooling2d (GlobalAveragePooling2D)","(None, 4)","0"),("dense (Dense)","(None, 10)","50")]:
    print_row(list(row),pos,out)
for l in out: print(repr(l))
