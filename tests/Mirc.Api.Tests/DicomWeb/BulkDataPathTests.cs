using Mirc.Api.DicomWeb.Wado;
using Mirc.Dicom;
using Xunit;

namespace Mirc.Api.Tests.DicomWeb;

public sealed class BulkDataPathTests
{
    [Fact]
    public void Format_and_parse_round_trip_through_sequences()
    {
        var text = BulkDataPath.Format([(new DicomTag(0x00540016), 1)], new DicomTag(0x00181072));
        Assert.Equal("00540016/1/00181072", text);
        var path = BulkDataPath.TryParse(text);
        Assert.NotNull(path);
        Assert.Equal(0x00181072u, path.Tag.Value);
        Assert.False(path.IsPixelData);
        Assert.True(BulkDataPath.TryParse("7FE00010")!.IsPixelData);
    }

    [Theory]
    [InlineData("")]
    [InlineData("7FE0001")]
    [InlineData("00540016/1")]
    [InlineData("00540016/x/00181072")]
    [InlineData("../etc/passwd")]
    public void Malformed_paths_are_refused(string text) => Assert.Null(BulkDataPath.TryParse(text));

    [Fact]
    public void Find_walks_into_sequence_items()
    {
        var inner = new DicomDataset();
        inner.Set(DicomTag.ImageComments, "deep");
        var dataset = new DicomDataset();
        dataset.SetSequence(new DicomTag(0x00540016), new DicomDataset(), inner);
        Assert.Equal("deep", System.Text.Encoding.ASCII.GetString(BulkDataPath.TryParse("00540016/1/00204000")!.Find(dataset)!.Buffer.Span).TrimEnd());
        Assert.Null(BulkDataPath.TryParse("00540016/5/00204000")!.Find(dataset));
    }
}
