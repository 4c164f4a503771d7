using Xunit;

namespace Mirc.Dicom.Tests.Dcmtk;

/// <summary>dcmtk's rendering of a file (dcmj2pnm), the reference the renderer tests compare ours with.</summary>
internal static class DcmtkRendering
{
    /// <summary>An 8-bit image: grey (1 channel) or RGB (3), rows of pixels.</summary>
    public readonly record struct Image(int Width, int Height, int Channels, byte[] Pixels);

    /// <summary>
    /// dcmj2pnm's 8-bit PGM/PPM of the first frame with <paramref name="options"/> (e.g. <c>+Wi 1</c>, <c>+Wl 1</c>),
    /// written under <paramref name="folder"/>; null when dcmj2pnm cannot render the file.
    /// </summary>
    public static async Task<Image?> RenderAsync(string path, string folder, params string[] options)
    {
        var output = Path.Combine(folder, Guid.NewGuid() + ".pnm");
        var run = await DcmtkTools.RunAsync("dcmj2pnm", [.. options, "+op", path, output]);
        if (run.ExitCode != 0 || !File.Exists(output)) return null;
        var bytes = await File.ReadAllBytesAsync(output, TestContext.Current.CancellationToken);
        // Binary PNM: magic, width, height, maximum, each followed by one whitespace, then the samples.
        var fields = new string[4];
        int at = 0;
        for (int i = 0; i < fields.Length; i++)
        {
            while (char.IsWhiteSpace((char)bytes[at])) at++;
            int start = at;
            while (!char.IsWhiteSpace((char)bytes[at])) at++;
            fields[i] = System.Text.Encoding.ASCII.GetString(bytes, start, at - start);
        }
        Assert.Equal("255", fields[3]);
        return new Image(int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture),
            fields[0] == "P6" ? 3 : 1, bytes[(at + 1)..]);
    }
}
