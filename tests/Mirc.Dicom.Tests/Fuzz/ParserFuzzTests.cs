using System.Buffers.Binary;
using System.Diagnostics;
using Xunit;

namespace Mirc.Dicom.Tests.Fuzz;

/// <summary>
/// Mutated valid files (truncations, bit flips, absurd lengths, deep nesting): the parser either succeeds or throws
/// <see cref="DicomFormatException"/>; never another exception, a hang, or an allocation far beyond the input size.
/// </summary>
public sealed class ParserFuzzTests
{
    private static List<byte[]> Seeds()
    {
        var seeds = new List<byte[]>();
        foreach (var ts in DicomTransferSyntax.Uncompressed)
            seeds.Add(DicomFileWriter.Write(new DicomFile(TestDatasets.Rich(), ts)));
        seeds.Add(DicomFileWriter.Write(new DicomFile(TestDatasets.Rich(), DicomTransferSyntax.ExplicitVRLittleEndian), new DicomWriteOptions { DefinedLengthSequences = true }));
        var encapsulated = TestDatasets.MultiFrame(3, 4, 4);
        encapsulated.Set(new DicomFragmentSequence(DicomTag.PixelData, DicomVR.OB, new byte[] { 0, 0, 0, 0, 18, 0, 0, 0, 36, 0, 0, 0 },
            [new byte[10], new byte[10], new byte[10]]));
        seeds.Add(DicomFileWriter.Write(new DicomFile(encapsulated, DicomTransferSyntax.JPEGBaseline8Bit)));
        // A bare data set without preamble or File Meta.
        seeds.Add(DicomDatasetWriter.Write(TestDatasets.Rich(), DicomTransferSyntax.ImplicitVRLittleEndian));
        return seeds;
    }

    [Fact]
    public async Task Mutated_files_parse_or_throw_DicomFormatException()
    {
        var seeds = Seeds();
        var random = new Random(20240229);
        var clock = Stopwatch.StartNew();
        int failures = 0, successes = 0;
        for (int i = 0; i < 3000; i++)
        {
            var seed = seeds[random.Next(seeds.Count)];
            var input = Mutate(seed, random);
            var options = random.Next(3) switch
            {
                0 => DicomReadOptions.Default,
                1 => DicomReadOptions.HeaderOnly,
                _ => new DicomReadOptions { SkipPixelData = true },
            };
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                if (random.Next(2) == 0)
                {
                    var file = DicomFileReader.Read(input, options);
                    Touch(file.Dataset);
                }
                else
                {
                    await using var stream = new NonSeekableStream(input, 1 + random.Next(4096));
                    var file = await DicomFileReader.ReadAsync(stream, options with { ReadBufferSize = 512 + random.Next(8192) }, TestContext.Current.CancellationToken);
                    Touch(file.Dataset);
                }
                successes++;
            }
            catch (DicomFormatException)
            {
                failures++;
            }
            catch (Exception e)
            {
                Assert.Fail($"iteration {i}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 64L * input.Length + (4 << 20), $"iteration {i}: {allocated} bytes allocated for a {input.Length}-byte input");
        }
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"fuzzing took {clock.Elapsed}");
        Assert.True(failures > 100 && successes > 100, $"mutations should both break and keep files: {failures} failed, {successes} parsed");
    }

    [Fact]
    public void Deep_nesting_is_rejected_with_DicomFormatException()
    {
        var ds = new DicomDataset();
        var current = ds;
        for (int depth = 0; depth < 200; depth++)
        {
            var item = new DicomDataset();
            current.SetSequence(DicomTag.ReferencedSeriesSequence, item);
            current = item;
        }
        var bytes = DicomDatasetWriter.Write(ds, DicomTransferSyntax.ExplicitVRLittleEndian);
        var error = Assert.Throws<DicomFormatException>(() => DicomDatasetReader.Read(bytes.AsMemory(), DicomTransferSyntax.ExplicitVRLittleEndian));
        Assert.Contains("nesting", error.Message);
        // Within the limit it parses.
        var parsed = DicomDatasetReader.Read(bytes.AsMemory(), DicomTransferSyntax.ExplicitVRLittleEndian, new DicomReadOptions { MaxDepth = 300 });
        Assert.Single(parsed.GetSequenceItems(DicomTag.ReferencedSeriesSequence));
    }

    [Fact]
    public async Task Absurd_length_on_a_stream_fails_without_allocating_it()
    {
        var ds = new DicomDataset();
        ds.Set(DicomTag.PatientID, "X");
        var bytes = DicomDatasetWriter.Write(ds, DicomTransferSyntax.ImplicitVRLittleEndian);
        // Implicit VR: declare a 3 GB value for (0010,0020).
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), 0xC0000000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        await using var stream = new NonSeekableStream(bytes);
        var error = await Assert.ThrowsAsync<DicomFormatException>(() => DicomFileReader.ReadAsync(stream, null, TestContext.Current.CancellationToken));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Contains("(0010,0020)", error.Message);
    }

    private static void Touch(DicomDataset ds)
    {
        foreach (var e in ds)
        {
            if (e is DicomSequence s) foreach (var item in s.Items) Touch(item);
            else ds.TryGetString(e.Tag, out _);
        }
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var data = (byte[])seed.Clone();
        switch (random.Next(5))
        {
            case 0:
                return data[..random.Next(data.Length)];
            case 1:
                for (int k = random.Next(1, 9); k > 0; k--) data[random.Next(data.Length)] ^= (byte)(1 << random.Next(8));
                return data;
            case 2:
            {
                int at = random.Next(data.Length - 4);
                uint value = random.Next(4) switch { 0 => 0xFFFFFFFF, 1 => 0xFFFFFFF0, 2 => (uint)random.Next(), _ => (uint)random.Next(1, 70000) };
                BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(at), value);
                return data;
            }
            case 3:
            {
                // Overwrite a 16-bit length-or-VR position with random bytes.
                int at = random.Next(data.Length - 2);
                data[at] = (byte)random.Next(256);
                data[at + 1] = (byte)random.Next(256);
                return data;
            }
            default:
            {
                // Splice: repeat a random chunk (creates duplicate/misordered tags and broken nesting).
                int from = random.Next(data.Length);
                int len = random.Next(1, Math.Min(512, data.Length - from) + 1);
                int at = random.Next(data.Length);
                return [.. data[..at], .. data.AsSpan(from, len).ToArray(), .. data[at..]];
            }
        }
    }
}
