#!/usr/bin/python3
"""Writes the field-deviation files of issue 15 with pydicom (Debian python3-pydicom), one per defect, into argv[1].

Run at test time by Mirc.Testing.ToleranceFiles (codec tests and the STOW-RS corpus test) with /usr/bin/python3. Each file is written by pydicom; where pydicom
refuses to write the defect itself (an unknown VR, stray bytes after the data set) the few bytes are changed after
writing, and the file name says so. dcmdump (dcmtk) is the referee: the test checks it reads every file.
"""
import os
import struct
import sys

import pydicom
from pydicom.data import get_testdata_file
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.tag import Tag
from pydicom.uid import ExplicitVRLittleEndian, JPEGBaseline8Bit, generate_uid

out = sys.argv[1]
UID_ROOT = "1.2.826.0.1.3680043.10.1311.15."


def base(ts=ExplicitVRLittleEndian):
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.SOPInstanceUID = generate_uid(UID_ROOT)
    ds.StudyInstanceUID = generate_uid(UID_ROOT)
    ds.SeriesInstanceUID = generate_uid(UID_ROOT)
    ds.Modality = "OT"
    ds.PatientName = "TOLERANCE^Test"
    ds.PatientID = "TOL-15"
    ds.Rows = 2
    ds.Columns = 2
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = 8
    ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0
    ds.PixelData = b"\x01\x02\x03\x04"
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ts
    meta.ImplementationClassUID = UID_ROOT + "1"
    ds.file_meta = meta
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    return ds


def save(ds, name, write_like_original=False):
    path = os.path.join(out, name)
    ds.save_as(path, write_like_original=write_like_original)
    return path


# 1. Part 10 meta group without (0002,0010) Transfer Syntax UID: the reader infers Explicit VR Little Endian.
ds = base()
del ds.file_meta.TransferSyntaxUID
ds.preamble = b"\0" * 128
save(ds, "meta_without_transfer_syntax.dcm", write_like_original=True)

# 2. An icon image whose pixel data is encapsulated (undefined length OB) inside a sequence item, in a JPEG file.
jpeg = pydicom.dcmread(get_testdata_file("SC_rgb_small_odd_jpeg.dcm"))
ds = base(JPEGBaseline8Bit)
icon = Dataset()
icon.Rows, icon.Columns = jpeg.Rows, jpeg.Columns
icon.SamplesPerPixel = 3
icon.PhotometricInterpretation = jpeg.PhotometricInterpretation
icon.BitsAllocated, icon.BitsStored, icon.HighBit, icon.PixelRepresentation = 8, 8, 7, 0
icon.PlanarConfiguration = 0
icon.PixelData = jpeg.PixelData
icon["PixelData"].is_undefined_length = True
icon["PixelData"].VR = "OB"
ds.IconImageSequence = Sequence([icon])
ds.PixelData = jpeg.PixelData
ds["PixelData"].is_undefined_length = True
ds["PixelData"].VR = "OB"
ds.Rows, ds.Columns, ds.SamplesPerPixel = jpeg.Rows, jpeg.Columns, 3
ds.PhotometricInterpretation = jpeg.PhotometricInterpretation
ds.PlanarConfiguration = 0
save(ds, "icon_with_encapsulated_pixel_data.dcm")

# 3. Undefined-length items inside a defined-length sequence, and an undefined-length private sequence.
ds = base()
item = Dataset()
item.CodeValue = "T-D1100"
item.CodingSchemeDesignator = "SRT"
item.is_undefined_length_sequence_item = True
ds.AnatomicRegionSequence = Sequence([item])
ds["AnatomicRegionSequence"].is_undefined_length = False
ds.add_new(0x00290010, "LO", "MIRC TEST")
private_item = Dataset()
private_item.add_new(0x00291001, "LO", "inside")
private_item.is_undefined_length_sequence_item = True
ds.add_new(0x00291010, "SQ", Sequence([private_item]))
ds[0x00291010].is_undefined_length = True
save(ds, "undefined_length_items.dcm")

# 4. Wrong VRs: Patient's Name as LO, Rows as SS, and an element whose VR is no VR at all (patched after writing).
ds = base()
ds[0x00100010] = RawDataElement(Tag(0x00100010), "LO", 14, b"TOLERANCE^Test", 0, False, True)
ds[0x00280010] = RawDataElement(Tag(0x00280010), "SS", 2, b"\x02\x00", 0, False, True)
ds.add_new(0x00290010, "LO", "MIRC TEST")
ds.add_new(0x00291020, "UT", "unknown VR value")
path = save(ds, "wrong_vrs_and_unknown_vr_patched.dcm")
raw = bytearray(open(path, "rb").read())
marker = struct.pack("<HH", 0x0029, 0x1020) + b"UT"
at = raw.index(marker)
raw[at + 4:at + 6] = b"ZZ"
open(path, "wb").write(bytes(raw))

# 5. Odd-length values: pydicom pads every value to even length, so the pad bytes are removed after writing
#    (an LO of 5 bytes, an OB of 3), as some writers leave them.
ds = base()
ds.StudyDescription = "ODD15"
ds.add_new(0x00090010, "LO", "MIRC TEST")
ds.add_new(0x00091001, "OB", b"\x01\x02\x03")
path = save(ds, "odd_length_values_patched.dcm")
raw = open(path, "rb").read()
raw = raw.replace(struct.pack("<HH", 0x0008, 0x1030) + b"LO" + struct.pack("<H", 6) + b"ODD15 ",
                  struct.pack("<HH", 0x0008, 0x1030) + b"LO" + struct.pack("<H", 5) + b"ODD15")
raw = raw.replace(struct.pack("<HH", 0x0009, 0x1001) + b"OB\0\0" + struct.pack("<I", 4) + b"\x01\x02\x03\x00",
                  struct.pack("<HH", 0x0009, 0x1001) + b"OB\0\0" + struct.pack("<I", 3) + b"\x01\x02\x03")
open(path, "wb").write(raw)

# 6. Group length mistakes: (0008,0000) and (0010,0000) with wrong values, meta group length too small.
ds = base()
ds.add_new(0x00080000, "UL", 3)
ds.add_new(0x00100000, "UL", 99999)
ds.file_meta.FileMetaInformationGroupLength = 10
ds.preamble = b"\0" * 128
save(ds, "wrong_group_lengths.dcm", write_like_original=True)

# 7. Trailing padding: (FFFC,FFFC) Data Set Trailing Padding (dcmdump reads it); then the same file with zero bytes
#    and with three stray bytes appended after the data set (pydicom reads those, dcmdump does not).
ds = base()
ds.add_new(0xFFFCFFFC, "OB", b"\0" * 64)
save(ds, "trailing_padding.dcm")
path = save(ds, "pydicom_only_trailing_zeros_appended.dcm")
with open(path, "ab") as f:
    f.write(b"\0" * 20)
path = save(ds, "pydicom_only_three_stray_bytes_appended.dcm")
with open(path, "ab") as f:
    f.write(b"\0\0\0")
