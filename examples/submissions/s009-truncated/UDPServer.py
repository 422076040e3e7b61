from socket import *

BUFFER_SIZE = 64  # a sentence is never longer than this

serverPort = 12000
serverSocket = socket(AF_INET, SOCK_DGRAM)
serverSocket.bind(('', serverPort))
print('The server is ready to receive', flush=True)

while True:
    message, clientAddress = serverSocket.recvfrom(BUFFER_SIZE)
    modifiedMessage = message.upper()
    serverSocket.sendto(modifiedMessage, clientAddress)
