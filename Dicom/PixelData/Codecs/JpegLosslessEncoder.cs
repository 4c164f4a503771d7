using System.Buffers.Binary;

namespace Mirc.Dicom.PixelData;

/// <summary>
/// JPEG lossless encoder, process 14 with selection value 1 (ITU T.81 Annex H), the form PS3.5 A.4.3 names SV1.
/// JpegLibrary and Debian's libjpeg-turbo 2.1 only decode this process, and the format is small: one scan, every
/// component interleaved, Huffman tables optimised from a first pass over the differences.
/// </summary>
internal static class JpegLosslessEncoder
{
    private const int Categories = 17; // SSSS 0..16
    private const int Reserved = Categories; // Annex K.2's pseudo-symbol: keeps the all-ones code unused

    /// <summary>Encodes one native frame (little-endian 16-bit or 8-bit samples, interleaved or planar).</summary>
    public static byte[] Encode(ReadOnlySpan<byte> frame, FrameGeometry geometry)
    {
        int width = geometry.Columns, height = geometry.Rows, components = geometry.SamplesPerPixel;
        if (width > ushort.MaxValue || height > ushort.MaxValue) throw new NotSupportedException($"a JPEG frame is at most 65535x65535, this one is {width}x{height}");
        // Precision is Bits Stored: signed samples are coded as their two's complement in that many bits (dcmtk does the same).
        int precision = Math.Clamp(geometry.BitsStored, 2, 16);
        int mask = (1 << precision) - 1;

        var frequencies = new long[Categories + 1];
        ForEachDifference(frame, geometry, mask, precision, (_, category) => frequencies[category]++);
        var (bits, values) = OptimalTable(frequencies);
        var (codes, lengths) = CanonicalCodes(bits, values);

        var output = new JpegBitWriter(frame.Length / 2 + 1024);
        output.WriteMarkerSegmentsStart(width, height, components, precision, bits, values);
        ForEachDifference(frame, geometry, mask, precision, (difference, category) =>
        {
            output.WriteBits(codes[category], lengths[category]);
            // Category 16 (difference 32768) carries no extra bits; negative differences are sent as difference - 1.
            if (category is > 0 and < 16) output.WriteBits((uint)(difference > 0 ? difference : difference - 1) & ((1u << category) - 1), category);
        });
        return output.Finish();
    }

    private delegate void DifferenceSink(int difference, int category);

    /// <summary>Walks the samples in scan order (pixel by pixel, components interleaved) with predictor 1.</summary>
    private static void ForEachDifference(ReadOnlySpan<byte> frame, FrameGeometry geometry, int mask, int precision, DifferenceSink sink)
    {
        int width = geometry.Columns, height = geometry.Rows, components = geometry.SamplesPerPixel, bytes = geometry.BytesPerSample;
        int planeSamples = width * height;
        Span<int> above = stackalloc int[components];
        Span<int> left = stackalloc int[components];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int pixel = y * width + x;
                for (int c = 0; c < components; c++)
                {
                    int index = geometry.IsPlanar ? c * planeSamples + pixel : pixel * components + c;
                    int sample = (bytes == 1 ? frame[index] : BinaryPrimitives.ReadUInt16LittleEndian(frame[(2 * index)..])) & mask;
                    int prediction = x > 0 ? left[c] : y > 0 ? above[c] : 1 << (precision - 1);
                    if (x == 0) above[c] = sample; // the next row's first sample is predicted from this one (Annex H.1.2.1)
                    left[c] = sample;
                    // Differences are taken modulo 2^16 and read in -32768..32767 (H.1.2.1).
                    int difference = (short)(ushort)(sample - prediction);
                    int category = difference == short.MinValue ? 16 : difference == 0 ? 0 : 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)Math.Abs(difference));
                    sink(difference, category);
                }
            }
        }
    }

    /// <summary>Code lengths from symbol frequencies, limited to 16 bits (T.81 Annex K.2, as libjpeg does it).</summary>
    private static (byte[] Bits, byte[] Values) OptimalTable(long[] counts)
    {
        var frequency = (long[])counts.Clone();
        frequency[Reserved] = 1;
        var codeSize = new int[Categories + 1];
        var others = Enumerable.Repeat(-1, Categories + 1).ToArray();
        while (true)
        {
            int c1 = -1, c2 = -1;
            long v1 = long.MaxValue, v2 = long.MaxValue;
            for (int i = 0; i <= Categories; i++)
            {
                // Ties go to the larger symbol, so the reserved one ends up with the longest code.
                if (frequency[i] != 0 && frequency[i] <= v1) { v2 = v1; c2 = c1; v1 = frequency[i]; c1 = i; }
                else if (frequency[i] != 0 && frequency[i] <= v2) { v2 = frequency[i]; c2 = i; }
            }
            if (c2 < 0) break;
            frequency[c1] += frequency[c2];
            frequency[c2] = 0;
            codeSize[c1]++;
            while (others[c1] >= 0) { c1 = others[c1]; codeSize[c1]++; }
            others[c1] = c2;
            codeSize[c2]++;
            while (others[c2] >= 0) { c2 = others[c2]; codeSize[c2]++; }
        }
        var bits = new int[40];
        foreach (var size in codeSize) if (size > 0) bits[size]++;
        for (int i = bits.Length - 1; i > 16; i--)
        {
            while (bits[i] > 0)
            {
                int j = i - 2;
                while (bits[j] == 0) j--;
                bits[i] -= 2;
                bits[i - 1]++;
                bits[j + 1] += 2;
                bits[j]--;
            }
        }
        int longest = 16;
        while (bits[longest] == 0) longest--;
        bits[longest]--; // drop the reserved symbol's code
        var values = new List<byte>();
        for (int length = 1; length < bits.Length; length++)
        {
            for (int symbol = 0; symbol < Categories; symbol++) if (codeSize[symbol] == length) values.Add((byte)symbol);
        }
        return ([.. bits.Skip(1).Take(16).Select(b => (byte)b)], [.. values]);
    }

    /// <summary>Canonical codes (T.81 Annex C) indexed by symbol.</summary>
    private static (uint[] Codes, int[] Lengths) CanonicalCodes(byte[] bits, byte[] values)
    {
        var codes = new uint[Categories];
        var lengths = new int[Categories];
        uint code = 0;
        int k = 0;
        for (int length = 1; length <= 16; length++)
        {
            for (int n = 0; n < bits[length - 1]; n++)
            {
                codes[values[k]] = code++;
                lengths[values[k]] = length;
                k++;
            }
            code <<= 1;
        }
        return (codes, lengths);
    }

    /// <summary>Entropy-coded output with 0xFF byte stuffing, after the marker segments.</summary>
    private sealed class JpegBitWriter(int capacity)
    {
        private readonly MemoryStream _out = new(capacity);
        private ulong _accumulator;
        private int _count;

        public void WriteMarkerSegmentsStart(int width, int height, int components, int precision, byte[] bits, byte[] values)
        {
            Marker(0xD8);
            Marker(0xC3); // SOF3: lossless, Huffman
            Word(8 + 3 * components);
            _out.WriteByte((byte)precision);
            Word(height);
            Word(width);
            _out.WriteByte((byte)components);
            for (int c = 0; c < components; c++)
            {
                _out.WriteByte((byte)(c + 1));
                _out.WriteByte(0x11);
                _out.WriteByte(0);
            }
            Marker(0xC4); // DHT: one DC-class table shared by every component
            Word(2 + 1 + 16 + values.Length);
            _out.WriteByte(0x00);
            _out.Write(bits);
            _out.Write(values);
            Marker(0xDA); // SOS
            Word(6 + 2 * components);
            _out.WriteByte((byte)components);
            for (int c = 0; c < components; c++)
            {
                _out.WriteByte((byte)(c + 1));
                _out.WriteByte(0x00);
            }
            _out.WriteByte(1); // Ss: selection value 1
            _out.WriteByte(0); // Se
            _out.WriteByte(0); // Ah/Al: point transform 0
        }

        public void WriteBits(uint value, int count)
        {
            _accumulator = (_accumulator << count) | value;
            _count += count;
            while (_count >= 8)
            {
                _count -= 8;
                var b = (byte)(_accumulator >> _count);
                _out.WriteByte(b);
                if (b == 0xFF) _out.WriteByte(0);
            }
        }

        public byte[] Finish()
        {
            if (_count > 0) WriteBits((1u << (8 - _count)) - 1, 8 - _count); // pad with ones (F.1.2.3)
            Marker(0xD9);
            if ((_out.Length & 1) != 0) _out.WriteByte(0); // fragments have even length
            return _out.ToArray();
        }

        private void Marker(byte marker)
        {
            _out.WriteByte(0xFF);
            _out.WriteByte(marker);
        }

        private void Word(int value)
        {
            _out.WriteByte((byte)(value >> 8));
            _out.WriteByte((byte)value);
        }
    }
}
