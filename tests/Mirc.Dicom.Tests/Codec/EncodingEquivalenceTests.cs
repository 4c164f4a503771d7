using Mirc.Dicom.Imaging;
using Mirc.Dicom.PixelData;
using Xunit;

namespace Mirc.Dicom.Tests.Codec;

/// <summary>One instance in two encodings is the same instance; a changed value, element, item or sample is not.</summary>
public sealed class EncodingEquivalenceTests
{
    private static DicomDataset ReadBack(DicomDataset dataset, DicomTransferSyntax syntax) =>
        DicomFileReader.Read(DicomFileWriter.Write(new DicomFile(dataset, syntax))).Dataset;

    [Fact]
    public void The_same_data_set_read_from_implicit_and_explicit_VR_has_the_same_attributes()
    {
        var source = TestDatasets.Rich();
        var implicitVr = ReadBack(source, DicomTransferSyntax.ImplicitVRLittleEndian);
        var explicitVr = ReadBack(source, DicomTransferSyntax.ExplicitVRLittleEndian);

        // Private elements read without their VR are UN on one side only: the values, not the VRs, are compared.
        Assert.Contains(implicitVr, e => e.Tag.IsPrivate && e.VR == DicomVR.UN);
        Assert.True(DicomEncodingEquivalence.SameAttributes(implicitVr, explicitVr));
    }

    [Fact]
    public void The_same_text_in_another_character_set_is_the_same_value_and_other_text_is_not()
    {
        var latin1 = ReadBack(TestDatasets.Rich("ISO_IR 100", "DUPONT^Hélène"), DicomTransferSyntax.ExplicitVRLittleEndian);
        var utf8 = ReadBack(TestDatasets.Rich("ISO_IR 192", "DUPONT^Hélène"), DicomTransferSyntax.ExplicitVRLittleEndian);
        var otherName = ReadBack(TestDatasets.Rich("ISO_IR 192", "DUPONT^Helene"), DicomTransferSyntax.ExplicitVRLittleEndian);
        // The same bytes under another character set are other text: "é" in UTF-8 read as Latin-1 is "Ã©".
        var utf8BytesAsLatin1 = utf8.Clone().Set(DicomTag.SpecificCharacterSet, "ISO_IR 100");

        Assert.False(latin1[DicomTag.PatientName]!.Buffer.Span.SequenceEqual(utf8[DicomTag.PatientName]!.Buffer.Span));
        Assert.True(DicomEncodingEquivalence.SameAttributes(latin1, utf8));
        Assert.False(DicomEncodingEquivalence.SameAttributes(latin1, otherName));
        Assert.False(DicomEncodingEquivalence.SameAttributes(utf8, utf8BytesAsLatin1));
    }

    [Fact]
    public void Encoding_only_elements_do_not_make_a_difference()
    {
        var a = TestDatasets.Rich();
        var b = a.Clone();
        b.Set(new DicomElement(new DicomTag(0x0010, 0x0000), DicomVR.UL, new byte[] { 1, 0, 0, 0 }));
        b.Set(new DicomElement(DicomTag.DataSetTrailingPadding, DicomVR.OB, new byte[8]));
        b.Set(DicomTag.PhotometricInterpretation, "YBR_FULL");
        b.Set(DicomTag.DerivationDescription, DicomVR.ST, "Lossless JPEG compression, selection value 1");
        b.Set(DicomTag.NumberOfFrames, 1);
        // The same UID padded with a space by one writer, with the NUL of the standard by the other.
        a.Set(new DicomElement(DicomTag.ReferencedSOPInstanceUID, DicomVR.UI, "1.2.3\0"u8.ToArray()));
        b.Set(new DicomElement(DicomTag.ReferencedSOPInstanceUID, DicomVR.UI, "1.2.3 "u8.ToArray()));

        Assert.True(DicomEncodingEquivalence.SameAttributes(a, b));
    }

    [Fact]
    public void A_changed_value_a_missing_element_or_a_changed_item_is_a_difference()
    {
        var a = TestDatasets.Rich();
        var changed = a.Clone();
        changed.Set(DicomTag.StudyDescription, "Odd lengtH");
        var missing = a.Clone();
        missing.Remove(DicomTag.InstanceNumber);
        var item = new DicomDataset().Set(DicomTag.CodeValue, "T-A0100");
        var otherItem = new DicomDataset().Set(DicomTag.CodeValue, "T-A0101");
        var withItem = a.Clone().Set(new DicomSequence(DicomTag.AnatomicRegionSequence, [item]));
        var withOtherItem = a.Clone().Set(new DicomSequence(DicomTag.AnatomicRegionSequence, [otherItem]));

        Assert.False(DicomEncodingEquivalence.SameAttributes(a, changed));
        Assert.False(DicomEncodingEquivalence.SameAttributes(a, missing));
        Assert.False(DicomEncodingEquivalence.SameAttributes(missing, a));
        Assert.False(DicomEncodingEquivalence.SameAttributes(withItem, withOtherItem));
        Assert.True(DicomEncodingEquivalence.SameAttributes(withItem, withItem.Clone()));
    }

    [Fact]
    public void A_frame_compressed_losslessly_and_decoded_holds_the_same_samples()
    {
        var dataset = TestDatasets.MultiFrame(frames: 2, rows: 16, columns: 12, bitsAllocated: 16);
        var rle = DicomTranscoder.Transcode(dataset, DicomTransferSyntax.ExplicitVRLittleEndian, DicomTransferSyntax.Lookup(DicomUids.RLELossless));

        for (var frame = 0; frame < 2; frame++)
        {
            var (native, nativeGeometry) = FrameDecoder.Decode(dataset, DicomTransferSyntax.ExplicitVRLittleEndian, frame);
            var (decoded, decodedGeometry) = FrameDecoder.Decode(rle, DicomTransferSyntax.Lookup(DicomUids.RLELossless), frame);
            Assert.True(DicomEncodingEquivalence.SameFrame(native, nativeGeometry, decoded, decodedGeometry), $"frame {frame}");
        }

        var (first, geometry) = FrameDecoder.Decode(dataset, DicomTransferSyntax.ExplicitVRLittleEndian, 0);
        var (second, _) = FrameDecoder.Decode(dataset, DicomTransferSyntax.ExplicitVRLittleEndian, 1);
        Assert.False(DicomEncodingEquivalence.SameFrame(first, geometry, second, geometry));
    }

    [Fact]
    public void Bits_above_Bits_Stored_carry_no_value_and_a_stored_bit_does()
    {
        var geometry = new FrameGeometry { Rows = 1, Columns = 2, BitsAllocated = 16, BitsStored = 12 };
        byte[] a = [0x34, 0x02, 0xFF, 0x0F];
        byte[] highBits = [0x34, 0xF2, 0xFF, 0x0F];
        byte[] lowBit = [0x35, 0x02, 0xFF, 0x0F];

        Assert.True(DicomEncodingEquivalence.SameFrame(a, geometry, highBits, geometry));
        Assert.False(DicomEncodingEquivalence.SameFrame(a, geometry, lowBit, geometry));
        Assert.False(DicomEncodingEquivalence.SameFrame(a, geometry, a, geometry with { Photometric = "MONOCHROME1" }));
    }

    [Fact]
    public void Colour_samples_are_compared_interleaved_whatever_the_planar_configuration()
    {
        var interleavedGeometry = new FrameGeometry { Rows = 1, Columns = 2, SamplesPerPixel = 3, BitsAllocated = 8, BitsStored = 8, Photometric = "RGB" };
        byte[] interleaved = [1, 2, 3, 4, 5, 6];
        byte[] planar = [1, 4, 2, 5, 3, 6];
        byte[] otherPlanar = [1, 4, 2, 5, 6, 3];

        Assert.True(DicomEncodingEquivalence.SameFrame(planar, interleavedGeometry with { IsPlanar = true }, interleaved, interleavedGeometry));
        Assert.True(DicomEncodingEquivalence.SameFrame(interleaved, interleavedGeometry, planar, interleavedGeometry with { IsPlanar = true }));
        Assert.False(DicomEncodingEquivalence.SameFrame(otherPlanar, interleavedGeometry with { IsPlanar = true }, interleaved, interleavedGeometry));
    }

    [Fact]
    public void Sixteen_bit_colour_is_compared_whole_samples_across_planar_configurations()
    {
        var geometry = new FrameGeometry { Rows = 1, Columns = 2, SamplesPerPixel = 3, BitsAllocated = 16, BitsStored = 16, Photometric = "RGB" };
        byte[] interleaved = [1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60];
        byte[] planar = [1, 10, 4, 40, 2, 20, 5, 50, 3, 30, 6, 60];
        byte[] swappedBytes = [10, 1, 4, 40, 2, 20, 5, 50, 3, 30, 6, 60];

        Assert.True(DicomEncodingEquivalence.SameFrame(planar, geometry with { IsPlanar = true }, interleaved, geometry));
        Assert.False(DicomEncodingEquivalence.SameFrame(swappedBytes, geometry with { IsPlanar = true }, interleaved, geometry));
    }

    [Fact]
    public void Thirty_two_bit_samples_round_trip_through_rle_and_compare_within_bits_stored()
    {
        // An RT Dose grid: 32 bits allocated, 28 stored.
        var geometry = new FrameGeometry { Rows = 3, Columns = 5, BitsAllocated = 32, BitsStored = 28 };
        var native = new byte[geometry.FrameLength];
        for (var i = 0; i < native.Length; i += 4) BitConverter.TryWriteBytes(native.AsSpan(i), (uint)(i * 0x01020305) & 0x0FFFFFFF);
        var codec = PixelFrameCodecs.Find(DicomUids.RLELossless)!;
        var decoded = new byte[geometry.FrameLength];
        codec.Decode(codec.Encode(native, geometry), geometry, decoded);
        Assert.Equal(native, decoded);

        var highBits = (byte[])native.Clone();
        highBits[3] |= 0xF0;
        var storedBit = (byte[])native.Clone();
        storedBit[3] ^= 0x08;
        Assert.True(DicomEncodingEquivalence.SameFrame(native, geometry, highBits, geometry));
        Assert.False(DicomEncodingEquivalence.SameFrame(native, geometry, storedBit, geometry));
    }

    [Theory]
    [InlineData(DicomUids.JPEGLosslessSV1)]
    [InlineData(DicomUids.JPEGLSLossless)]
    [InlineData(DicomUids.JPEG2000Lossless)]
    public void Syntaxes_of_at_most_16_bits_refuse_32_bit_samples_by_name(string syntax)
    {
        var geometry = new FrameGeometry { Rows = 2, Columns = 2, BitsAllocated = 32, BitsStored = 32 };
        var codec = PixelFrameCodecs.Find(syntax)!;
        Assert.Contains("at most 16 bits", codec.EncodeRefusal(geometry), StringComparison.Ordinal);
        Assert.True(codec.HasGeometryLimits);
        Assert.Contains("at most 16 bits", Assert.Throws<NotSupportedException>(() => codec.Encode(new byte[geometry.FrameLength], geometry)).Message, StringComparison.Ordinal);
        Assert.Contains("at most 16 bits", Assert.Throws<DicomFormatException>(() => codec.Decode(new byte[64], geometry, new byte[geometry.FrameLength])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_native_pixel_descriptions_agree_on_photometric_planar_and_frame_count_absent_meaning_one()
    {
        var a = TestDatasets.MultiFrame(frames: 1, rows: 4, columns: 4);
        a.Remove(DicomTag.NumberOfFrames);
        var oneFrame = a.Clone().Set(DicomTag.NumberOfFrames, 1);

        Assert.True(DicomEncodingEquivalence.SamePixelDescription(a, oneFrame));
        Assert.False(DicomEncodingEquivalence.SamePixelDescription(a, a.Clone().Set(DicomTag.NumberOfFrames, 2)));
        Assert.False(DicomEncodingEquivalence.SamePixelDescription(a, a.Clone().Set(DicomTag.PhotometricInterpretation, "MONOCHROME1")));
        Assert.False(DicomEncodingEquivalence.SamePixelDescription(a, a.Clone().Set(DicomTag.PlanarConfiguration, 1)));
    }
}
