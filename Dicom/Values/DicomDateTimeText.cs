using System.Globalization;

namespace Mirc.Dicom;

/// <summary>Parsing and formatting of DA (YYYYMMDD), TM (HHMMSS.FFFFFF) and DT (YYYYMMDDHHMMSS.FFFFFF&amp;ZZXX) values.</summary>
public static class DicomDateTimeText
{
    /// <summary>
    /// A DA or TM value in today's form: the legacy "YYYY.MM.DD" and "HH:MM:SS" forms that PS3.5 §6.2 asks readers to
    /// accept (files converted from ACR-NEMA still carry them) become "YYYYMMDD" and "HHMMSS", so that they sort, range-
    /// match and compare as the others do; any other text (a current form, a range, something unparseable) is returned as is.
    /// </summary>
    public static string Canonical(DicomVR vr, string text)
    {
        var trimmed = text.AsSpan().Trim();
        if (vr == DicomVR.DA && trimmed.Length == 10 && trimmed[4] == '.' && trimmed[7] == '.' && TryParseDate(trimmed, out var date))
            return FormatDate(date);
        if (vr == DicomVR.TM && trimmed.Contains(':') && !trimmed.Contains('-') && TryParseTime(trimmed, out _))
            return trimmed.ToString().Replace(":", string.Empty, StringComparison.Ordinal);
        return text;
    }

    /// <summary>Parses a DA value (also the legacy "YYYY.MM.DD" form).</summary>
    public static bool TryParseDate(ReadOnlySpan<char> text, out DateOnly date)
    {
        text = text.Trim();
        if (text.Length == 10 && text[4] == '.' && text[7] == '.')
        {
            Span<char> buf = stackalloc char[8];
            text[..4].CopyTo(buf);
            text.Slice(5, 2).CopyTo(buf[4..]);
            text.Slice(8, 2).CopyTo(buf[6..]);
            return DateOnly.TryParseExact(buf, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
        }
        return DateOnly.TryParseExact(text, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
    }

    /// <summary>Parses a TM value: HH, HHMM, HHMMSS or HHMMSS.F{1-6} (also the legacy "HH:MM:SS" form).</summary>
    public static bool TryParseTime(ReadOnlySpan<char> text, out TimeOnly time)
    {
        time = default;
        text = text.Trim();
        Span<char> buf = stackalloc char[16];
        int n = 0;
        foreach (var c in text)
        {
            if (c == ':') continue;
            if (n == buf.Length) return false;
            buf[n++] = c;
        }
        var t = buf[..n];
        if (t.Length < 2 || !TwoDigits(t, 0, out int h) || h > 23) return false;
        int m = 0, s = 0, ticks = 0;
        if (t.Length >= 4 && (!TwoDigits(t, 2, out m) || m > 59)) return false;
        if (t.Length >= 6 && (!TwoDigits(t, 4, out s) || s > 60)) return false;
        if (t.Length is 3 or 5) return false;
        if (t.Length > 6)
        {
            if (t[6] != '.' || t.Length == 7 || t.Length > 13) return false;
            var frac = t[7..];
            int value = 0;
            foreach (var c in frac)
            {
                if (!char.IsAsciiDigit(c)) return false;
                value = value * 10 + (c - '0');
            }
            for (int i = frac.Length; i < 7; i++) value *= 10;
            ticks = value;
        }
        if (s == 60) s = 59; // leap second
        time = new TimeOnly(h, m, s).Add(TimeSpan.FromTicks(ticks));
        return true;
    }

    /// <summary>Parses a DT value (YYYY[MM[DD[HH[MM[SS[.F{1-6}]]]]]][&amp;ZZXX]); missing parts default to their minimum.</summary>
    public static bool TryParseDateTime(ReadOnlySpan<char> text, out DateTimeOffset value)
    {
        value = default;
        text = text.Trim();
        TimeSpan offset = TimeSpan.Zero;
        int signAt = text.IndexOfAny('+', '-');
        if (signAt >= 0)
        {
            var z = text[signAt..];
            if (z.Length != 5 || !TwoDigits(z, 1, out int zh) || !TwoDigits(z, 3, out int zm)) return false;
            offset = new TimeSpan(zh, zm, 0);
            if (z[0] == '-') offset = -offset;
            text = text[..signAt];
        }
        if (text.Length < 4 || !int.TryParse(text[..4], NumberStyles.None, CultureInfo.InvariantCulture, out int year) || year < 1) return false;
        int month = 1, day = 1;
        if (text.Length >= 6 && !TwoDigits(text, 4, out month)) return false;
        if (text.Length >= 8 && !TwoDigits(text, 6, out day)) return false;
        if (text.Length is 5 or 7) return false;
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return false;
        var time = TimeOnly.MinValue;
        if (text.Length > 8 && !TryParseTime(text[8..], out time)) return false;
        try
        {
            value = new DateTimeOffset(new DateOnly(year, month, day).ToDateTime(time), offset);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    /// <summary>Formats a DA value.</summary>
    public static string FormatDate(DateOnly date) => date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>Formats a TM value (fraction only when non-zero).</summary>
    public static string FormatTime(TimeOnly time)
    {
        long frac = time.Ticks % TimeSpan.TicksPerSecond / 10;
        return frac == 0
            ? time.ToString("HHmmss", CultureInfo.InvariantCulture)
            : time.ToString("HHmmss", CultureInfo.InvariantCulture) + "." + frac.ToString("D6", CultureInfo.InvariantCulture);
    }

    /// <summary>Formats a DT value; the UTC offset is written when <paramref name="includeOffset"/> is true.</summary>
    public static string FormatDateTime(DateTimeOffset value, bool includeOffset = true)
    {
        var s = FormatDate(DateOnly.FromDateTime(value.DateTime)) + FormatTime(TimeOnly.FromDateTime(value.DateTime));
        if (!includeOffset) return s;
        var o = value.Offset;
        return s + (o < TimeSpan.Zero ? "-" : "+") + Math.Abs(o.Hours).ToString("D2", CultureInfo.InvariantCulture)
               + Math.Abs(o.Minutes).ToString("D2", CultureInfo.InvariantCulture);
    }

    private static bool TwoDigits(ReadOnlySpan<char> s, int at, out int value)
    {
        value = 0;
        if (s.Length < at + 2 || !char.IsAsciiDigit(s[at]) || !char.IsAsciiDigit(s[at + 1])) return false;
        value = (s[at] - '0') * 10 + (s[at + 1] - '0');
        return true;
    }
}
