namespace OpenTfa.Core.Pins;

public enum PinType
{
    Numeric,
    Alpha,
    Hex,
    Alphanumeric,
}

public static class PinTypes
{
    public const int MinLength = 4;
    public const int MaxLength = 20;
    public const int DefaultLength = 4;

    public static readonly string AllowedValues = "NUMERIC, ALPHA, HEX, ALPHANUMERIC";

    public static string ToWire(PinType type) => type switch
    {
        PinType.Numeric => "NUMERIC",
        PinType.Alpha => "ALPHA",
        PinType.Hex => "HEX",
        PinType.Alphanumeric => "ALPHANUMERIC",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public static bool TryParse(string? wire, out PinType type)
    {
        switch (wire)
        {
            case "NUMERIC": type = PinType.Numeric; return true;
            case "ALPHA": type = PinType.Alpha; return true;
            case "HEX": type = PinType.Hex; return true;
            case "ALPHANUMERIC": type = PinType.Alphanumeric; return true;
            default: type = default; return false;
        }
    }

    public static string Alphabet(PinType type) => type switch
    {
        PinType.Numeric => "0123456789",
        PinType.Alpha => "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        PinType.Hex => "0123456789ABCDEF",
        PinType.Alphanumeric => "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}
