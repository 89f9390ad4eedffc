package io.herd.api;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VersionRangeTest {
    @ParameterizedTest(name = "{1} in \"{0}\": {2}")
    @CsvSource(delimiter = '|', value = {
            ">= 5.4, < 7 | 5.4               | true",
            ">= 5.4, < 7 | 5.4.0             | true",
            ">= 5.4, < 7 | 5.15.0-91-generic | true",
            ">= 5.4, < 7 | 6.99.99           | true",
            ">= 5.4, < 7 | 7                 | false",
            ">= 5.4, < 7 | 7.0.0-rc1         | false",
            ">= 5.4, < 7 | 5.3.99            | false",
            ">= 5.4, < 7 | 4.19.0-25-amd64   | false",
            ">= 5.4, < 7 | v6.1              | true",
            ">= 5.4, < 7 | unknown           | false",
            ">= 5.4, < 7 | ''                | false",
            "5.10        | 5.10.0            | true",
            "= 5.10      | 5.1               | false",
            "== 5.10     | 5.10              | true",
            "!= 6.8      | 6.8.0             | false",
            "!= 6.8      | 6.8.1             | true",
            "> 1.2.3     | 1.2.4             | true",
            "> 1.2.3     | 1.2.3+build7      | false",
            "<= 1.10     | 1.9               | true",
            "<= 1.10     | 1.11              | false",
    })
    void comparesDottedNumbersPartByPart(String range, String value, boolean contained) {
        assertThat(VersionRange.parse(range).contains(value)).isEqualTo(contained);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", ">=", ">= 5.4,", ">= five", "~> 1.2", ">= 5.4 < 7", "5..4", "=> 5", ">= 1.2-beta",
            ">= 1234567890123456789"})
    void rejectsWhatIsNotARange(String text) {
        assertThatThrownBy(() -> VersionRange.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("null");
    }

    @org.junit.jupiter.api.Test
    void aMissingValueIsNoVersion() {
        assertThat(VersionRange.parse(">= 0").contains(null)).isFalse();
    }
}
