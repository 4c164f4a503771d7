using Mirc.Dicom.Imaging;
using Mirc.Dicom.PixelData;
using Mirc.Dicom.Tests.Dcmtk;
using Mirc.Testing;
using Xunit;

namespace Mirc.Dicom.Tests.Corpus;

/// <summary>
/// The first frame of every image of the Debian corpus rendered by us and by dcmtk's dcmj2pnm with the same window (the
/// data set's first, else min-max): within rounding of each other (lossy JPEG within its decoders' spread). What we
/// refuse to render must be what the conformance statement says we refuse (1-bit samples, 32-bit colour).
/// </summary>
public sealed class DebianCorpusRenderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> Images() => [.. CorpusImages.Files.Select(i => i.File.Name)];

    [Theory]
    [MemberData(nameof(Images))]
    public async Task First_frame_renders_as_dcmj2pnm_renders_it(string name)
    {
        var path = DebianDicomCorpus.PathOf(name);
        var file = await DicomFileReader.ReadAsync(path, cancellationToken: TestContext.Current.CancellationToken);
        var theirs = await DcmtkRenderAsync(path, file.Dataset);
        RenderedImage ours;
        try
        {
            var (samples, geometry) = FrameDecoder.Decode(file.Dataset, file.TransferSyntax, 0);
            ours = FrameRenderer.Render(file.Dataset, samples, geometry, new RenderOptions());
        }
        catch (Exception ex) when (ex is NotSupportedException or DicomFormatException)
        {
            var allocated = file.Dataset.GetInt32OrDefault(DicomTag.BitsAllocated, 0);
            var colour32 = allocated == 32 && file.Dataset.GetInt32OrDefault(DicomTag.SamplesPerPixel, 1) == 3;
            Assert.True(allocated == 1 || colour32 || theirs is null, $"{name}: dcmj2pnm renders it, we refuse: {ex.Message}");
            return;
        }

        if (theirs is null) return; // dcmj2pnm cannot decode it (JPEG 2000): the decode tests compare it with GDCM
        Assert.Equal((theirs.Value.Width, theirs.Value.Height, theirs.Value.Channels), (ours.Width, ours.Height, ours.Channels));
        var differences = ours.Pixels.Zip(theirs.Value.Pixels, (a, b) => Math.Abs(a - b)).ToArray();
        // Display levels: rounding of the window function (±1); lossy JPEG adds its decoders' spread (4:2:0 chroma upsampling: see the decode tests).
        var lossy = file.TransferSyntax.IsLossy;
        Assert.True(differences.Average() <= (lossy ? 255 * 0.015 : 1) && differences.Max() <= (lossy ? 102 : 2),
            $"{name}: mean difference {differences.Average():F2}, largest {differences.Max()} from dcmj2pnm's rendering");
    }

    /// <summary>dcmj2pnm's rendering of the first frame with the window we use, null when it cannot render the file.</summary>
    private Task<DcmtkRendering.Image?> DcmtkRenderAsync(string path, DicomDataset dataset)
    {
        string[] window = dataset.GetInt32OrDefault(DicomTag.SamplesPerPixel, 1) != 1 ? []
            : dataset.Contains(DicomTag.WindowCenter) && dataset.Contains(DicomTag.WindowWidth) ? ["+Wi", "1"] : ["+Wm"];
        return DcmtkRendering.RenderAsync(path, _dir.Path, window);
    }
}
