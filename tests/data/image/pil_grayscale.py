# Golden values of tests/unit/test_image.cpp: what PIL's convert("L") (Keras's load_img with
# color_mode="grayscale") makes of a few colours. Run with /usr/bin/python3 (python3-pil).
from PIL import Image

colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (10, 200, 30), (255, 255, 255)]
image = Image.new("RGB", (len(colours), 1))
image.putdata(colours)
print(list(image.convert("L").getdata()))  # [76, 150, 29, 124, 255]
