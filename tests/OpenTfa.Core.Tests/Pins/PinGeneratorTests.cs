using OpenTfa.Core.Pins;

namespace OpenTfa.Core.Tests.Pins;

public sealed class PinGeneratorTests
{
    public static TheoryData<PinType, int> TypesAndLengths()
    {
        var data = new TheoryData<PinType, int>();
        foreach (PinType type in Enum.GetValues<PinType>())
        {
            for (int length = PinTypes.MinLength; length <= PinTypes.MaxLength; length++)
            {
                data.Add(type, length);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TypesAndLengths))]
    public void Generate_EveryTypeAndLength_UsesOnlyItsAlphabetAtThatLength(PinType type, int length)
    {
        string alphabet = PinTypes.Alphabet(type);
        for (int i = 0; i < 50; i++)
        {
            string pin = PinGenerator.Generate(type, length);

            Assert.Equal(length, pin.Length);
            Assert.All(pin, c => Assert.Contains(c, alphabet));
        }
    }

    [Theory]
    [InlineData(PinType.Numeric, "0123456789")]
    [InlineData(PinType.Alpha, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")]
    [InlineData(PinType.Hex, "0123456789ABCDEF")]
    [InlineData(PinType.Alphanumeric, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")]
    public void Alphabet_IsTheDocumentedUpperCaseSet(PinType type, string expected)
    {
        Assert.Equal(expected, PinTypes.Alphabet(type));
    }

    [Theory]
    [InlineData(PinType.Numeric)]
    [InlineData(PinType.Alpha)]
    [InlineData(PinType.Hex)]
    [InlineData(PinType.Alphanumeric)]
    public void Generate_ManyDraws_UseEveryCharacterOfTheAlphabet(PinType type)
    {
        var seen = new HashSet<char>();
        for (int i = 0; i < 2_000; i++)
        {
            seen.UnionWith(PinGenerator.Generate(type, PinTypes.MaxLength));
        }

        Assert.Equal(PinTypes.Alphabet(type).ToHashSet(), seen);
    }

    [Fact]
    public void Generate_NumericManyDraws_EachDigitNearOneTenth()
    {
        const int pins = 10_000;
        const int length = 10;
        var counts = new int[10];
        for (int i = 0; i < pins; i++)
        {
            foreach (char c in PinGenerator.Generate(PinType.Numeric, length))
            {
                counts[c - '0']++;
            }
        }

        // 100 000 digits: 10 000 expected per digit, standard deviation about 95; a bound of
        // ±1 000 fails only for a real bias (such as a modulo bias), never by chance.
        Assert.Equal(pins * length, counts.Sum());
        Assert.All(counts, count => Assert.InRange(count, 9_000, 11_000));
    }

    [Fact]
    public void Generate_NumericLengthFour_IsNotConstant()
    {
        var distinct = new HashSet<string>();
        for (int i = 0; i < 200; i++)
        {
            distinct.Add(PinGenerator.Generate(PinType.Numeric, 4));
        }

        // 200 draws from 10 000 values: all but a handful are distinct.
        Assert.True(distinct.Count > 150, $"only {distinct.Count} distinct PINs in 200 draws");
    }
}
