using Xunit;

namespace Mirc.Dicom.Tests.Dictionary;

public sealed class DictionaryTests
{
    [Fact]
    public void Keyword_and_tag_lookups_agree()
    {
        Assert.True(DicomDictionary.TryGetByKeyword("PatientName", out var byKeyword));
        Assert.Equal(new DicomTag(0x0010, 0x0010), byKeyword.Tag);
        Assert.Equal(DicomVR.PN, byKeyword.VR);
        Assert.Equal("1", byKeyword.VM);
        Assert.Equal("Patient's Name", byKeyword.Name);
        Assert.True(DicomDictionary.TryGetByTag(DicomTag.Parse("00100010"), out var byTag));
        Assert.Equal("PatientName", byTag.Keyword);
        Assert.Equal(DicomTag.PatientName, DicomTag.Parse("PatientName"));
        Assert.False(DicomDictionary.TryGetByKeyword("NoSuchKeyword", out _));
    }

    [Theory]
    [InlineData(0x00000000u, "CommandGroupLength", DicomVR.UL)]
    [InlineData(0x00000100u, "CommandField", DicomVR.US)]
    [InlineData(0x00020010u, "TransferSyntaxUID", DicomVR.UI)]
    [InlineData(0x00080005u, "SpecificCharacterSet", DicomVR.CS)]
    [InlineData(0x00180050u, "SliceThickness", DicomVR.DS)]
    [InlineData(0x0020000Du, "StudyInstanceUID", DicomVR.UI)]
    [InlineData(0x00280008u, "NumberOfFrames", DicomVR.IS)]
    [InlineData(0x00321060u, "RequestedProcedureDescription", DicomVR.LO)]
    [InlineData(0x00400275u, "RequestAttributesSequence", DicomVR.SQ)]
    [InlineData(0x00880140u, "StorageMediaFileSetUID", DicomVR.UI)]
    [InlineData(0x7FE00001u, "ExtendedOffsetTable", DicomVR.OV)]
    [InlineData(0x7FE00010u, "PixelData", DicomVR.OW)]
    public void Required_groups_are_covered(uint tag, string keyword, DicomVR vr)
    {
        Assert.True(DicomDictionary.TryGetByTag(new DicomTag(tag), out var entry));
        Assert.Equal(keyword, entry.Keyword);
        Assert.Equal(vr, entry.VR);
        Assert.True(DicomDictionary.TryGetByKeyword(keyword, out var back));
        Assert.Equal(tag, back.Tag.Value);
    }

    [Fact]
    public void Repeating_groups_and_private_tags_resolve()
    {
        Assert.True(DicomDictionary.TryGetByTag(new DicomTag(0x6002, 0x3000), out var overlay));
        Assert.Equal("OverlayData", overlay.Keyword);
        Assert.False(DicomDictionary.TryGetByTag(new DicomTag(0x6001, 0x3000), out _));
        Assert.Equal(DicomVR.LO, DicomDictionary.GetImplicitVR(new DicomTag(0x0029, 0x0010)));
        Assert.Equal(DicomVR.UN, DicomDictionary.GetImplicitVR(new DicomTag(0x0029, 0x1001)));
        Assert.Equal(DicomVR.UL, DicomDictionary.GetImplicitVR(new DicomTag(0x0009, 0x0000)));
        Assert.Equal(DicomVR.SS, DicomDictionary.GetAlternateVR(DicomTag.SmallestImagePixelValue));
    }

    [Fact]
    public void Every_entry_round_trips_through_its_keyword()
    {
        int count = 0;
        foreach (var e in DicomDictionary.Entries)
        {
            Assert.True(DicomDictionary.TryGetByKeyword(e.Keyword, out var back), e.Keyword);
            Assert.Equal(e.Tag, back.Tag);
            count++;
        }
        Assert.Equal(DicomDictionary.Count, count);
        Assert.True(count > 4000);
    }

    [Fact]
    public void Lookups_by_tag_do_not_allocate()
    {
        // The loop runs once unmeasured: its first run can be compiled again mid-loop (on-stack replacement), which
        // allocated on this thread once in a full run of the suite (2026-12-06).
        Lookups();
        long before = GC.GetAllocatedBytesForCurrentThread();
        int unknown = Lookups();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.InRange(unknown, 1, 9_999);

        static int Lookups()
        {
            int unknown = 0;
            for (int i = 0; i < 10_000; i++)
                if (DicomDictionary.GetImplicitVR(new DicomTag((ushort)(0x0028 + (i & 1) * 0x6000), (ushort)(i & 0x3FFF))) == DicomVR.UN) unknown++;
            return unknown;
        }
    }

    [Fact]
    public void Well_known_uids_are_generated()
    {
        Assert.Equal("1.2.840.10008.1.1", DicomUids.Verification);
        Assert.Equal("1.2.840.10008.5.1.4.1.1.2", DicomUids.CTImageStorage);
        Assert.True(DicomUids.IsStorageSopClass(DicomUids.CTImageStorage));
        Assert.False(DicomUids.IsStorageSopClass(DicomUids.Verification));
        Assert.Contains(DicomUids.MRImageStorage, DicomUids.StorageSopClasses);
        Assert.True(DicomUids.StorageSopClasses.Count() > 100);
        Assert.True(DicomTransferSyntax.Lookup(DicomUids.JPEGLSLossless).IsEncapsulated);
        Assert.True(DicomTransferSyntax.Lookup("1.2.840.10008.1.2.4.201").IsEncapsulated);
        Assert.False(DicomTransferSyntax.Lookup("1.2.840.10008.1.2").IsExplicitVR);
        Assert.True(DicomTransferSyntax.Lookup("1.2.840.10008.1.2.2").IsBigEndian);
        Assert.True(DicomTransferSyntax.Lookup("1.2.840.10008.1.2.1.99").IsDeflated);
        var uid = DicomUids.NewUid();
        Assert.StartsWith(DicomUids.ImplementationRoot + ".", uid);
        Assert.True(uid.Length <= 64);
        Assert.NotEqual(uid, DicomUids.NewUid());
    }

    [Theory]
    [InlineData("00100010")]
    [InlineData("(0010,0010)")]
    [InlineData("0010,0010")]
    [InlineData("PatientName")]
    public void Tag_parse_accepts_common_forms(string text)
    {
        var tag = DicomTag.Parse(text);
        Assert.Equal(DicomTag.PatientName, tag);
        Assert.Equal("(0010,0010)", tag.ToString());
        Assert.Equal("00100010", tag.ToHexString());
    }

    [Fact]
    public void Tag_properties()
    {
        Assert.True(new DicomTag(0x0029, 0x0010).IsPrivateCreator);
        Assert.True(new DicomTag(0x0029, 0x1010).IsPrivate);
        Assert.False(DicomTag.PatientName.IsPrivate);
        Assert.True(new DicomTag(0x0008, 0x0000).IsGroupLength);
        Assert.False(DicomTag.TryParse("zz", out _));
    }
}
