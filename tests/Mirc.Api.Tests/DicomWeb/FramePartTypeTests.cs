using Mirc.Api.DicomWeb.Wado;
using Mirc.Grains.Interfaces.Studies;
using Xunit;

namespace Mirc.Api.Tests.DicomWeb;

public sealed class FramePartTypeTests
{
    private static InstanceEntry Entry(string transferSyntax, bool encapsulated) => new()
    {
        StudyInstanceUid = "1.2", SeriesInstanceUid = "1.2.3", SopInstanceUid = "1.2.3.4", SopClassUid = "1.2.840.10008.5.1.4.1.1.2",
        TransferSyntaxUid = transferSyntax, BlobContainer = "c", BlobName = "n", Sha256 = "00", EstablishmentId = "e",
        Frames = new FrameLayout { FrameCount = 1, Encapsulated = encapsulated },
    };

    [Theory]
    [InlineData("1.2.840.10008.1.2.4.50", true, "", "image/jpeg")]
    [InlineData("1.2.840.10008.1.2.4.80", true, "multipart/related; type=\"image/jls\"", "image/jls")]
    [InlineData("1.2.840.10008.1.2.4.90", true, "multipart/related; type=\"application/octet-stream\"; transfer-syntax=*", "application/octet-stream")]
    [InlineData("1.2.840.10008.1.2", false, "multipart/related; type=\"application/octet-stream\"; transfer-syntax=1.2.840.10008.1.2.1", "application/octet-stream")]
    public void Chooses_the_part_type_the_client_accepts(string transferSyntax, bool encapsulated, string accept, string expected) =>
        Assert.Equal(expected, WadoFramesEndpoint.ChoosePartType(accept, Entry(transferSyntax, encapsulated), out _));

    [Theory]
    [InlineData("1.2.840.10008.1.2.4.50", true, "multipart/related; type=\"application/octet-stream\"")]
    [InlineData("1.2.840.10008.1.2.4.50", true, "multipart/related; type=\"image/jp2\"")]
    [InlineData("1.2.840.10008.1.2.1", false, "multipart/related; type=\"image/jpeg\"")]
    public void Refuses_what_would_need_transcoding(string transferSyntax, bool encapsulated, string accept)
    {
        Assert.Null(WadoFramesEndpoint.ChoosePartType(accept, Entry(transferSyntax, encapsulated), out var refusal));
        Assert.False(string.IsNullOrEmpty(refusal));
    }
}
