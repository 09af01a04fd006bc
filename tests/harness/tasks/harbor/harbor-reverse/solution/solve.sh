#!/bin/bash
tac /app/words.txt > /app/reversed.txt
