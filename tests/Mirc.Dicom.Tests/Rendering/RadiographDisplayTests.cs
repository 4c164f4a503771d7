using Mirc.Dicom.Imaging;
using Mirc.Dicom.Tests.Codecs;
using Mirc.Dicom.Tests.Dcmtk;
using Xunit;

namespace Mirc.Dicom.Tests.Rendering;

/// <summary>
/// What radiographs (CR, DX, mammography) carry besides a window: a VOI LUT Sequence as their only VOI (a vendor's
/// curve), rendered through that table as dcmtk's dcmj2pnm renders it with <c>+Wl 1</c> — not with the frame's value
/// range; a Modality LUT Sequence's table instead of a rescale; and a Presentation LUT Shape of INVERSE, shown inverted
/// once, as dcmj2pnm shows it.
/// </summary>
public sealed class RadiographDisplayTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(4096, 0, "a table over every stored value")]
    [InlineData(2048, 1024, "a table over the middle half: values outside take its first or last entry")]
    public async Task The_voi_lut_table_is_applied_as_dcmj2pnm_applies_it(int entries, int firstMapped, string why)
    {
        var image = CodecImages.Monochrome(40, 48, 12, signed: false);
        var dataset = image.Dataset;
        foreach (var tag in new[] { DicomTag.WindowCenter, DicomTag.WindowWidth, DicomTag.RescaleIntercept, DicomTag.RescaleSlope }) dataset.Remove(tag);
        // A gamma curve (0.5) from 12-bit input to 12-bit display values.
        var data = new byte[2 * entries];
        for (var i = 0; i < entries; i++)
        {
            var value = (int)Math.Round(4095 * Math.Sqrt((double)i / (entries - 1)));
            data[2 * i] = (byte)value;
            data[(2 * i) + 1] = (byte)(value >> 8);
        }
        var lut = new DicomDataset().Set(DicomTag.LUTDescriptor, DicomVR.US, entries, firstMapped, 12).Set(DicomTag.LUTData, DicomVR.OW, data);
        dataset.SetSequence(DicomTag.VOILUTSequence, lut);
        var path = _dir.File(Guid.NewGuid() + ".dcm");
        await DicomFileWriter.WriteAsync(path, image, cancellationToken: TestContext.Current.CancellationToken);

        var theirs = await DcmtkRendering.RenderAsync(path, _dir.Path, "+Wl", "1");
        var (samples, geometry) = FrameDecoder.Decode(dataset, image.TransferSyntax, 0);
        var ours = FrameRenderer.Render(dataset, samples, geometry, new RenderOptions());

        Assert.NotNull(theirs);
        var differences = ours.Pixels.Zip(theirs.Value.Pixels, (a, b) => Math.Abs(a - b)).ToArray();
        Assert.True(differences.Max() <= 1, $"{why}: mean difference {differences.Average():F2}, largest {differences.Max()} from dcmj2pnm +Wl 1");
        // Not the value-range window it replaces.
        var range = await DcmtkRendering.RenderAsync(path, _dir.Path, "+Wm");
        Assert.True(ours.Pixels.Zip(range!.Value.Pixels, (a, b) => Math.Abs(a - b)).Average() > 10, $"{why}: rendered as the range window");
    }

    [Theory]
    [InlineData("MONOCHROME2", "INVERSE", true)]
    [InlineData("MONOCHROME1", "INVERSE", true)] // the shape DX asks beside MONOCHROME1: one inversion, not two
    [InlineData("MONOCHROME2", "IDENTITY", false)]
    public async Task A_presentation_lut_shape_of_inverse_shows_the_image_inverted_once_as_dcmj2pnm_does(string photometric, string shape, bool inverted)
    {
        var image = CodecImages.Monochrome(40, 48, 12, signed: false);
        image.Dataset.Set(DicomTag.PhotometricInterpretation, photometric).Set(DicomTag.PresentationLUTShape, shape);
        var path = _dir.File(Guid.NewGuid() + ".dcm");
        await DicomFileWriter.WriteAsync(path, image, cancellationToken: TestContext.Current.CancellationToken);

        var theirs = await DcmtkRendering.RenderAsync(path, _dir.Path, "+Wi", "1");
        var (samples, geometry) = FrameDecoder.Decode(image.Dataset, image.TransferSyntax, 0);
        var ours = FrameRenderer.Render(image.Dataset, samples, geometry, new RenderOptions());
        image.Dataset.Remove(DicomTag.PresentationLUTShape);
        image.Dataset.Set(DicomTag.PhotometricInterpretation, "MONOCHROME2");
        var upright = FrameRenderer.Render(image.Dataset, samples, geometry with { Photometric = "MONOCHROME2" }, new RenderOptions());

        Assert.NotNull(theirs);
        Assert.True(ours.Pixels.Zip(theirs.Value.Pixels, (a, b) => Math.Abs(a - b)).Max() <= 1, $"{photometric} {shape}: differs from dcmj2pnm");
        var mirrored = ours.Pixels.Zip(upright.Pixels, (a, b) => Math.Abs(a + b - 255) <= 1).Count(x => !x);
        Assert.True(inverted ? mirrored == 0 : ours.Pixels.SequenceEqual(upright.Pixels), $"{photometric} {shape}: {mirrored} pixels not the upright image's negative");
    }

    [Theory]
    [InlineData("+Wm", "the range window over the table's outputs")]
    [InlineData("+Wi 1", "the image's window, in the table's output units")]
    public async Task A_modality_lut_table_maps_stored_values_as_dcmj2pnm_maps_them(string dcmtkWindow, string why)
    {
        var image = CodecImages.Monochrome(40, 48, 12, signed: false);
        var dataset = image.Dataset;
        dataset.Remove(DicomTag.RescaleIntercept);
        dataset.Remove(DicomTag.RescaleSlope);
        dataset.Set(DicomTag.WindowCenter, "20000").Set(DicomTag.WindowWidth, "30000");
        // A logarithmic curve from 12-bit stored values to 16-bit modality values (an older CR's exposure scale).
        var data = new byte[2 * 4096];
        for (var i = 0; i < 4096; i++)
        {
            var value = (int)Math.Round(65535 * Math.Log(1 + i) / Math.Log(4096));
            data[2 * i] = (byte)value;
            data[(2 * i) + 1] = (byte)(value >> 8);
        }
        dataset.SetSequence(DicomTag.ModalityLUTSequence, new DicomDataset()
            .Set(DicomTag.LUTDescriptor, DicomVR.US, 4096, 0, 16).Set(DicomTag.ModalityLUTType, "OD").Set(DicomTag.LUTData, DicomVR.OW, data));
        if (dcmtkWindow == "+Wm")
        {
            dataset.Remove(DicomTag.WindowCenter);
            dataset.Remove(DicomTag.WindowWidth);
        }
        var path = _dir.File(Guid.NewGuid() + ".dcm");
        await DicomFileWriter.WriteAsync(path, image, cancellationToken: TestContext.Current.CancellationToken);

        var theirs = await DcmtkRendering.RenderAsync(path, _dir.Path, dcmtkWindow.Split(' '));
        var (samples, geometry) = FrameDecoder.Decode(dataset, image.TransferSyntax, 0);
        var ours = FrameRenderer.Render(dataset, samples, geometry, new RenderOptions());

        Assert.NotNull(theirs);
        var differences = ours.Pixels.Zip(theirs.Value.Pixels, (a, b) => Math.Abs(a - b)).ToArray();
        Assert.True(differences.Max() <= 1, $"{why}: mean difference {differences.Average():F2}, largest {differences.Max()} from dcmj2pnm {dcmtkWindow}");
    }
}
