# Golden values of tests/unit/io/test_image.cpp: the pixels PIL decodes from small JPEG files
# (libjpeg-turbo with its default settings, then convert("L") or convert("RGB"), as Keras's
# load_img), which typenet's JPEG decoding must reproduce exactly. Writes the JPEG files next to
# this script and prints golden.txt. Run with /usr/bin/python3 (python3-pil):
#   cd tests/data/image && /usr/bin/python3 make_jpeg_golden.py > jpeg_golden.txt
from PIL import Image

W, H = 19, 13  # not multiples of 8 or 16: partial blocks and MCUs at the edges
colour = Image.new("RGB", (W, H))
colour.putdata([((x * 13 + y * 3) % 256, (y * 19) % 256, (x * y * 5 + 40) % 256) for y in range(H) for x in range(W)])
colour.save("colour_420.jpg", quality=85)  # chroma subsampled 2x2 (PIL's default): fancy upsampling matters
colour.save("colour_progressive.jpg", quality=70, progressive=True)
colour.convert("L").save("gray.jpg", quality=90)
Image.new("CMYK", (8, 8), (10, 20, 30, 40)).save("cmyk.jpg")  # Adobe CMYK: typenet refuses it

for name in ["colour_420.jpg", "colour_progressive.jpg", "gray.jpg"]:
    image = Image.open(name)
    for mode in ["L", "RGB"]:
        data = list(image.convert(mode).getdata())
        if mode == "RGB":
            data = [c for pixel in data for c in pixel]
        print(name, mode, image.size[0], image.size[1], " ".join(map(str, data)))
